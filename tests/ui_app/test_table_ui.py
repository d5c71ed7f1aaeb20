"""The whole table driven by scripted clicks and keys (tests/ui_support.py), bots on their thread.

Hot-seat hides private numbers (checked on what was actually drawn), facilitator injects land
in the move log, save and load round-trip through the file dialogs, and a seat taken over
mid-game continues the same game.
"""

from __future__ import annotations

import time
from pathlib import Path

import pygame
import pytest
import ui_support as ui

from ui import theme
from ui.app import App, PlayConfig
from ui.intel import seat_summary
from wargame.scenario import load_scenario
from wargame.session import GameSession


@pytest.fixture()
def make_app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # autosaves and saves go under tmp_path/runs
    apps = []

    def make(seed: int = 1, humans=(), facilitator: bool = False, paused: bool = False) -> App:
        app = App(PlayConfig(size=(1280, 800), facilitator=facilitator, start_paused=paused))
        app.start_game(GameSession(load_scenario("baseline"), seed), humans=list(humans), facilitator=facilitator)
        app.frame([])
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


def listen(app: App):
    return [lambda e: app.screen.handle(e)]


def frames_until(app: App, condition, seconds: float = 20.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("the table never got there")
        app.frame([])
        time.sleep(0.002)


def drawn(app: App) -> list[str]:
    """Every string the next frame draws (theme.text's log)."""
    theme.LOG.clear()
    theme.LOG.recording = True
    try:
        app.frame([])
    finally:
        theme.LOG.recording = False
    return list(theme.LOG.lines)


def test_hot_seat_hides_each_seats_private_numbers_until_its_player_clicks(make_app):
    app = make_app(seed=2, humans=("us", "china"))
    screen = app.screen
    frames_until(app, lambda: screen.screen_kind() == "handover")
    assert screen.handover_to == "us"
    shown = " ".join(drawn(app))
    assert "Hand over" in shown and "US government" in shown
    s = screen.table.session
    private = {r.value for r in seat_summary(s, "us", s.observe("us")).rows() if r.kind in ("own", "estimate", "score")}
    private |= {r.value for r in seat_summary(s, "china", s.observe("china")).rows() if r.kind in ("own", "estimate", "score")}
    private = {v for v in private if len(v) >= 4 and any(c.isdigit() for c in v)}  # a distinctive figure, not "0" or "off"
    assert private and not [v for v in private if v in shown]

    ui.press_at(app.manager, screen._handover_button().center, listen(app))
    frames_until(app, lambda: screen.form is not None)
    assert screen.screen_kind() == "seat-us"
    mine = " ".join(drawn(app))
    us_rows = [r for r in seat_summary(s, "us", s.observe("us")).rows() if r.kind == "own" and r.value]
    assert us_rows and any(r.value in mine for r in us_rows)

    ui.click(app.manager, screen.form.widgets["end"], listen(app))  # the US passes
    frames_until(app, lambda: screen.handover_to == "china")
    shown = " ".join(drawn(app))
    assert not [r.value for r in us_rows if r.value and r.value in shown], "the US seat's numbers stayed on screen"


def test_a_facilitator_inject_chosen_by_clicks_lands_in_the_move_log(make_app):
    app = make_app(seed=4, facilitator=True, paused=True)
    screen, s = app.screen, app.screen.table.session
    ui.click(app.manager, screen.buttons["Inject"], listen(app))
    assert screen.dialog_kind == "inject"
    lst = screen.dialog_widgets["list"]
    card = screen.table.inject_cards()[0]
    item = next(i for i in lst.item_list if i["object_id"] == card.id or i["text"].split(": ")[0].endswith(card.id))
    ui.click(app.manager, item["button_element"], listen(app))
    ui.click(app.manager, screen.dialog_widgets["play_inject"], listen(app))
    assert [c.id for c in screen.table.pending_injects] == [card.id]
    ui.click(app.manager, screen.buttons["Pause"], listen(app))  # resume
    frames_until(app, lambda: s.world.turn >= 1)
    screen.table.set_paused(True)
    with screen.table.lock:
        logged = [m for m in s.moves if "inject" in m]
    assert logged and logged[0]["inject"]["id"] == card.id and logged[0]["turn"] == 2


def _pick_path(app: App, path: Path) -> None:
    dialog = app.screen.dialog
    ui.type_into(app.manager, dialog.file_path_text_line, str(path), listen(app))
    ui.click(app.manager, dialog.ok_button, listen(app))


def test_save_and_load_through_the_ui_round_trip(make_app, tmp_path):
    app = make_app(seed=5, humans=("nvidia",))
    screen = app.screen
    frames_until(app, lambda: screen.form is not None)  # bots played up to Nvidia
    ui.click(app.manager, screen.buttons["Save"], listen(app))
    target = tmp_path / "runs" / "saves" / "mine.json"
    _pick_path(app, target)
    assert target.exists() and "saved to" in screen.message
    before = screen.table.session.snapshot_hash()
    ui.click(app.manager, screen.buttons["Load"], listen(app))
    _pick_path(app, target)
    assert app.screen is not screen
    loaded = app.screen.table.session
    assert loaded.snapshot_hash() == before and loaded.seats["nvidia"] == "human"


def test_a_seat_taken_over_mid_game_continues_the_same_game(make_app):
    app = make_app(seed=6, paused=True)
    screen, table = app.screen, app.screen.table
    table.set_paused(False)
    frames_until(app, lambda: table.session.world.turn >= 1)
    table.set_paused(True)
    ui.click(app.manager, screen.buttons["Seats"], listen(app))
    ui.choose(app.manager, screen.dialog_widgets["rows"]["smic"], "human", listen(app))
    ui.click(app.manager, screen.dialog_widgets["apply_seats"], listen(app))
    assert table.pending_seats == {"smic": "human"}
    table.set_paused(False)
    frames_until(app, lambda: screen.form is not None and table.human_turn() == "smic")
    ui.click(app.manager, screen.form.widgets["end"], listen(app))
    frames_until(app, lambda: table.human_turn() is None or table.session.world.turn > 2)
    table.set_paused(True)
    with table.lock:
        s = table.session
        again = GameSession.replay(s.scenario, s.seed, s.moves, {a: "doctrine" for a in s.actors})
        assert again.snapshot_hash() == s.snapshot_hash()
        assert {"actor": "facilitator", "seat": {"actor": "smic", "policy": "human"}}.items() <= \
            next(m for m in s.moves if "seat" in m).items()


def test_closing_the_window_mid_game_saves_it_and_it_resumes_there(make_app, tmp_path):
    app = make_app(seed=7, humans=("huawei",))
    frames_until(app, lambda: app.screen.form is not None)
    before = app.screen.table.session.snapshot_hash()
    app.frame([pygame.event.Event(pygame.QUIT)])
    assert not app.running
    app.close()
    assert "resume with: wargame play --load" in app.exit_message
    path = Path(app.exit_message.split("--load ")[1])
    assert GameSession.load(tmp_path / path).snapshot_hash() == before


def test_the_setup_screen_starts_a_game_with_the_seats_chosen_by_clicks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = App(PlayConfig(size=(1280, 800), start_paused=True))
    try:
        app.show_setup()
        app.frame([])
        setup = app.screen
        assert setup.screen_kind() == "setup"
        ui.choose(app.manager, setup.widgets["scenario"], "hbm-squeeze", listen(app))
        assert "HBM" in setup.widgets["description"].html_text or "hbm" in setup.widgets["description"].html_text.lower()
        ui.choose(app.manager, setup.seat_rows["us"], "human", listen(app))
        ui.choose(app.manager, setup.seat_rows["china"], "self-reliance", listen(app))
        ui.type_into(app.manager, setup.widgets["seed"], "12", listen(app))
        ui.click(app.manager, setup.widgets["start"], listen(app))
        table = app.screen.table
        s = table.session
        assert s.scenario.name == "hbm-squeeze" and s.seed == 12
        assert s.seats["us"] == "human" and s.seats["china"] == "self-reliance"
    finally:
        app.close()


def test_a_bad_seed_on_the_setup_screen_is_explained_and_starts_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = App(PlayConfig(size=(1280, 800)))
    try:
        app.show_setup()
        setup = app.screen
        ui.type_into(app.manager, setup.widgets["seed"], "twelve", listen(app))
        ui.click(app.manager, setup.widgets["start"], listen(app))
        assert app.screen is setup and "seed 'twelve'" in setup.message
        assert "seed 'twelve'" in " ".join(drawn(app))
    finally:
        app.close()


def test_a_table_notice_reaches_the_screen(make_app):
    """The table's notices (an autosave that failed, an inject refused) were kept where nothing
    showed them; the newest now takes the message line."""
    app = make_app(seed=2, paused=True)
    screen = app.screen
    with screen.table.lock:
        screen.table.notices.append("autosave failed: disk full")
    assert "autosave failed: disk full" in drawn(app)
    assert screen.message == "autosave failed: disk full"


def test_the_message_stays_on_the_map_a_seated_player_sees(make_app, monkeypatch):
    """With a human ordering, the map is shortened over the seat's panel: the message once landed
    on the panel's first rows, over their text."""
    app = make_app(seed=5, humans=("us",))
    screen = app.screen
    frames_until(app, lambda: screen.form is not None)
    screen.message = "autosave failed: disk full"
    where = []
    real = theme.text
    monkeypatch.setattr(theme, "text", lambda surface, s, pos, *a, **k: (where.append((s, pos)), real(surface, s, pos, *a, **k))[1])
    app.frame([])
    spots = [pos for s, pos in where if s == screen.message]
    assert spots and all(screen.lay.seated_map.collidepoint(pos) for pos in spots), spots
