"""The tabletop controller (ui/table.py) headless: human seats, bots, take-over, injects, saves.

The table must drive the game only through GameSession, so a quarter a person plays at the
table ends in exactly the state the same moves give when submitted straight to the API.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from policies.doctrine import doctrine_for
from ui.table import BotWorker, Table
from wargame.runner import make_seats, play_phase
from wargame.scenario import load_scenario
from wargame.session import GameSession


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline")


def _human_plays_like_doctrine(table: Table, actor: str) -> list:
    """The human at `actor` gives exactly the orders the doctrine bot would (a scripted person)."""
    s, bot, given = table.session, doctrine_for(actor), []
    obs = s.observe(actor)
    while True:
        move = bot.decide(obs, s.legal(actor), s.policy_rng(actor))
        assert table.submit(actor, move) is None
        given.append(move)
        if move.kind == "pass":
            return given


def _run_to_human(table: Table) -> None:
    while table.bot_turn() is not None:
        table.step_bot()


def test_a_human_quarter_at_the_table_equals_the_api(baseline):
    table = Table(GameSession(baseline, 3), humans=("china",))
    direct = GameSession(baseline, 3)
    direct.set_seat("china", "human")
    seats = make_seats(direct, {"china": "doctrine"})
    for _ in range(2):
        _run_to_human(table)
        assert table.human_turn() == "china"
        _human_plays_like_doctrine(table, "china")
        _run_to_human(table)
    while (direct.world.turn, direct.current_actor) != (2, "china"):  # where the table waits for its human
        play_phase(direct, direct.current_actor, seats[direct.current_actor])
    assert table.session.snapshot_hash() == direct.snapshot_hash()
    assert table.session.moves == direct.moves


def test_a_bot_never_plays_a_human_seat_and_a_human_never_plays_a_bot_seat(baseline):
    table = Table(GameSession(baseline, 1), humans=("us",))
    assert table.bot_turn() is None and table.human_turn() == "us"
    assert table.step_bot() is False
    _human_plays_like_doctrine(table, "us")
    assert table.human_turn() is None
    refusal = table.submit("china", {"kind": "pass", "actor": "china"})
    assert refusal is not None and "not a human seat" in refusal.reason


def test_take_over_and_hand_back_apply_from_the_next_quarter_and_are_logged(baseline):
    table = Table(GameSession(baseline, 2))
    table.step_bot()  # the US has ordered this quarter
    table.take_over("huawei")
    assert table.seat("huawei") == "doctrine"  # not mid-quarter
    _run_to_human(table)
    assert table.session.world.turn == 1 and table.seat("huawei") == "human"
    assert {"turn": 2, "actor": "facilitator", "seat": {"actor": "huawei", "policy": "human"}} in table.session.moves
    _run_to_human(table)
    assert table.human_turn() == "huawei"
    table.hand_back("huawei", "random")
    _human_plays_like_doctrine(table, "huawei")
    _run_to_human(table)
    assert table.seat("huawei") == "random" and table.session.is_over  # bots alone play on to the end
    # the same game continues: a replay of its log reproduces it exactly
    s = table.session
    again = GameSession.replay(s.scenario, s.seed, s.moves, {a: "doctrine" for a in s.actors})
    assert again.snapshot_hash() == s.snapshot_hash() and again.seats == s.seats


def test_a_facilitator_inject_lands_at_the_next_quarter_and_in_the_log(baseline):
    table = Table(GameSession(baseline, 4), facilitator=True)
    cards = table.inject_cards()
    assert cards, "the baseline scenario has injects a facilitator may play"
    card = next(c for c in cards if c.scripted_quarter is None) if any(c.scripted_quarter is None for c in cards) else cards[0]
    table.queue_inject(card.id)
    with pytest.raises(KeyError, match="unknown inject 'nope'"):
        table.queue_inject("nope")
    _run_to_human(table)  # plays the whole quarter (no humans) ... and the next ones
    s = table.session
    logged = [m for m in s.moves if "inject" in m]
    assert logged and logged[0]["inject"]["id"] == card.id and logged[0]["turn"] == 2
    assert card.id in s.world.events_fired


def test_save_and_load_keep_human_seats_and_the_game(baseline, tmp_path):
    table = Table(GameSession(baseline, 5), humans=("us", "nvidia"), autosave=tmp_path / "auto.json")
    _human_plays_like_doctrine(table, "us")
    _run_to_human(table)
    _human_plays_like_doctrine(table, "nvidia")
    _run_to_human(table)
    assert (tmp_path / "auto.json").exists()  # written when the quarter resolved
    table.save(tmp_path / "mid.json")
    loaded = GameSession.load(tmp_path / "mid.json")
    assert loaded.snapshot_hash() == table.session.snapshot_hash()
    assert loaded.seats["us"] == "human" and loaded.seats["nvidia"] == "human"
    assert Table(loaded).human_turn() == "us"


def test_headless_run_refuses_a_human_seat_with_one_line(baseline, tmp_path):
    table = Table(GameSession(baseline, 6), humans=("smic",))
    table.save(tmp_path / "h.json")
    out = subprocess.run([sys.executable, "-m", "wargame", "run", "--load", str(tmp_path / "h.json")],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "smic is a human seat" in out.stderr
    ok = subprocess.run([sys.executable, "-m", "wargame", "run", "--load", str(tmp_path / "h.json"), "--seat", "smic=doctrine",
                         "--turns", "1", "--json"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["seats"]["smic"] == "doctrine"


def test_an_edited_seat_entry_is_refused_on_load(baseline, tmp_path):
    table = Table(GameSession(baseline, 7), humans=("us",))
    table.save(tmp_path / "s.json")
    data = json.loads((tmp_path / "s.json").read_text())
    data["moves"][0]["seat"]["policy"] = "overlord"
    (tmp_path / "bad.json").write_text(json.dumps(data))
    out = subprocess.run([sys.executable, "-m", "wargame", "run", "--load", str(tmp_path / "bad.json")],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "Traceback" not in out.stderr and "moves[0]" in out.stderr


def test_the_bot_worker_plays_bots_until_a_human_must_order(baseline):
    table = Table(GameSession(baseline, 8), humans=("smugglers",))
    worker = BotWorker(table)
    worker.start()
    try:
        for _ in range(2000):
            if table.human_turn() == "smugglers":
                break
            worker.join(0.005)
    finally:
        worker.stop()
        worker.join(2)
    assert table.human_turn() == "smugglers" and worker.error is None
    assert table.session.world.turn == 0 and not worker.is_alive()


def test_an_inject_card_from_the_library_and_its_ending_land_in_the_log(baseline):
    table = Table(GameSession(baseline, 9), facilitator=True)
    cards = {c.id: c for c in table.inject_cards()}
    assert cards["TAIWAN-STRAIT"].kind == "card" and cards["TAIWAN-STRAIT"].hypothetical
    assert cards["TAIWAN-STRAIT"].lasts_quarters == 1
    table.step_bot()
    table.queue_inject("TAIWAN-STRAIT")
    s = table.session
    while s.world.turn < 3:
        table.step_bot()
    logged = [(m["turn"], m["inject"]["id"]) for m in s.moves if "inject" in m]
    assert logged == [(2, "TAIWAN-STRAIT"), (3, "TAIWAN-STRAIT:end")]
    again = GameSession.replay(s.scenario, s.seed, s.moves)
    assert again.snapshot_hash() == s.snapshot_hash()


def test_monte_carlo_futures_of_a_human_game_play_the_human_seat_with_its_default(baseline, tmp_path):
    table = Table(GameSession(baseline, 10), humans=("china",))
    _run_to_human(table)
    _human_plays_like_doctrine(table, "china")
    table.save(tmp_path / "h.json")
    out = subprocess.run([sys.executable, "-m", "wargame", "mc", "--from-save", str(tmp_path / "h.json"), "--runs", "2",
                          "--workers", "1", "--no-track", "--json", "--out", str(tmp_path / "mc")],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["runs"] == 2
