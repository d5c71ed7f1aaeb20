"""The order form played with scripted clicks and keys (tests/ui_support.py), as a person would:
the game it produces is the game the same moves give through GameSession.submit, and an illegal
entry shows its reason inline and changes nothing."""

from __future__ import annotations

import warnings
from pathlib import Path

import pygame
import pytest
import ui_support as ui
from conftest import scenario

from ui.order_form import OrderForm, make_manager, slider_text
from wargame import moves as mv
from wargame.orders import LABELS, number_text
from wargame.session import GameSession

RECT = pygame.Rect(760, 10, 510, 780)
SEED = 11


class Seat:
    """A human US seat: a session, its form, and every move the form handed to `submit`."""

    def __init__(self, manager, actor: str = "us"):
        self.session = GameSession(scenario("baseline"), seed=SEED)
        self.actor = actor
        self.submitted: list[mv.AnyMove] = []
        self.manager = manager
        self.form = OrderForm(manager, RECT, self.session, actor, self._submit)
        self.listen = [self.form.process_event]

    def _submit(self, move):
        self.submitted.append(move)
        return self.session.submit(self.actor, move)

    def w(self, name):
        return self.form.widgets[name]

    def choose_kind(self, kind: str) -> None:
        option = next(text for text, k in self.form._options["kind"].items() if k == kind)
        ui.choose(self.manager, self.w("kind"), option, self.listen)
        assert self.form.kind.kind == kind

    def add(self) -> None:
        ui.click(self.manager, self.w("add"), self.listen)


@pytest.fixture()
def seat(manager):
    return Seat(manager)


def test_one_us_quarter_by_clicks_equals_the_same_moves_submitted_directly(seat):
    s = seat.session
    enforcement = seat.form.kind.targets[0].fields[0]
    assert seat.form.kind.kind == "set_enforcement"

    # drag the enforcement slider to its right end: the entry shows the exact ceiling
    ui.drag_slider(seat.manager, seat.w("slider:budget_usd_m"), 1.0, seat.listen)
    assert seat.w("entry:budget_usd_m").get_text() == number_text(enforcement.hi)
    seat.add()
    assert seat.form.message is None

    seat.choose_kind("set_intel_effort")
    ui.choose(seat.manager, seat.w("field:level"), "high", seat.listen)
    seat.add()

    seat.choose_kind("add_entity")
    ui.choose(seat.manager, seat.w("target"), "CXMT", seat.listen)
    seat.add()

    seat.choose_kind("pressure_ally")
    ui.choose(seat.manager, seat.w("target"), "Korea", seat.listen)
    seat.add()
    assert seat.form.message is None
    # the orders given are listed, and an ordered kind is no longer offered
    assert "Set intelligence effort" in seat.w("orders").html_text
    assert LABELS["set_enforcement"] not in seat.form._options["kind"]

    ui.click(seat.manager, seat.w("end"), seat.listen)
    assert s.current_actor == "china"
    assert "waiting" in seat.form.widgets and "add" not in seat.form.widgets

    expected = [
        mv.SetEnforcement(budget_usd_m=enforcement.hi),
        mv.SetIntelEffort(level="high"),
        mv.AddEntity(target="cxmt"),
        mv.PressureAlly(ally="korea"),
        mv.Pass(actor="us"),
    ]
    assert seat.submitted == expected
    direct = GameSession(scenario("baseline"), seed=SEED)
    for move in expected:
        assert direct.submit("us", move) is None
    assert s.snapshot_hash() == direct.snapshot_hash()
    assert s.moves == direct.moves


def test_a_typed_amount_is_taken_exactly_and_moves_the_slider(seat):
    ui.type_into(seat.manager, seat.w("entry:budget_usd_m"), "250", seat.listen)
    assert seat.w("slider:budget_usd_m").get_current_value() == pytest.approx(250)
    seat.add()
    assert seat.submitted == [mv.SetEnforcement(budget_usd_m=250.0)]


def test_enter_in_an_amount_box_adds_the_order(seat):
    ui.type_into(seat.manager, seat.w("entry:budget_usd_m"), "300", seat.listen, enter=True)
    assert seat.submitted == [mv.SetEnforcement(budget_usd_m=300.0)]


def test_an_out_of_bounds_or_unreadable_amount_is_refused_inline_and_changes_nothing(seat):
    s = seat.session
    before = s.snapshot_hash()
    ui.type_into(seat.manager, seat.w("entry:budget_usd_m"), "99999", seat.listen)
    seat.add()
    assert seat.submitted == []
    assert seat.form.message and "above the maximum" in seat.form.message
    assert "above the maximum" in seat.w("message").html_text
    assert seat.w("entry:budget_usd_m").get_text() == "99999"  # what was typed stays, to be corrected
    assert s.snapshot_hash() == before

    ui.type_into(seat.manager, seat.w("entry:budget_usd_m"), "lots", seat.listen)
    seat.add()
    assert seat.submitted == [] and "not a number" in seat.form.message
    assert s.snapshot_hash() == before

    # corrected, it goes through and the message clears
    ui.type_into(seat.manager, seat.w("entry:budget_usd_m"), "120", seat.listen)
    seat.add()
    assert seat.submitted == [mv.SetEnforcement(budget_usd_m=120.0)] and seat.form.message is None


def test_a_refused_submission_shows_the_refusal(manager):
    """If the session refuses what the form built (here the submit hook refuses everything),
    the reason is shown and the form stays as it was."""
    seat = Seat(manager)
    seat.form.submit = lambda move: mv.Refusal(reason="the facilitator paused the game", allowed="wait")
    seat.add()
    assert "the facilitator paused the game" in seat.form.message


def test_closed_kinds_are_listed_with_reasons_and_cannot_be_chosen(seat):
    options = seat.form._options["kind"]
    assert LABELS["set_threshold"] not in options and LABELS["decide_licence"] not in options
    closed = seat.w("closed").html_text
    assert LABELS["set_threshold"] in closed and "locked by the scenario" in closed
    assert "no licence request" in closed
    # secret kinds say so in the drop-down
    assert f"{LABELS['set_intel_effort']} (secret)" in options


def test_the_form_rebuilds_from_the_session_after_each_order(seat):
    seat.choose_kind("add_entity")
    targets = [t.label for t in seat.form.kind.targets]
    ui.choose(seat.manager, seat.w("target"), targets[0], seat.listen)
    seat.add()
    assert [t.label for t in seat.form.kind.targets] == targets[1:]  # that target is gone, the kind stays chosen
    assert seat.form.kind.kind == "add_entity"


def test_slider_text_snaps_to_bounds_and_stays_inside():
    assert slider_text(604.19, 100.0, 604.2) == "604.2"
    assert slider_text(100.4, 100.0, 604.2) == "100"
    assert 100.0 <= float(slider_text(351.23456, 100.0, 604.2)) <= 604.2
    assert slider_text(0.5, 0.0, 0.0) == "0"


def test_manager_loads_the_bundled_fonts_from_any_directory(screen, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    m = make_manager((1280, 800))
    paths = m.get_theme().get_font_dictionary().known_font_paths["dejavu"]
    regular = Path(paths[0][0])
    assert regular.is_absolute() and regular.exists() and regular.name == "DejaVuSans.ttf"
    info = m.get_theme().get_font_info(["button"])
    assert info["name"] == "dejavu" and int(info["size"]) >= 16


def test_every_open_kind_of_every_seat_lays_out_inside_the_form(manager):
    """Each seat's every open order (first target), in the app's side column and in a short rect:
    every widget inside the rect, no label too small for its text."""
    from conftest import new_session

    from wargame.runner import play_phase, play_turn

    s, pol = new_session("baseline", seed=2)
    play_turn(s, pol)
    rects = (pygame.Rect(800, 90, 480, 672), pygame.Rect(800, 420, 480, 336))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for actor in s.actors:
            form = OrderForm(manager, rects[0], s, actor, lambda move: None)
            open_kinds = [k for k in form.kinds if k.is_open]
            tallest = max(open_kinds, key=lambda k: (len(k.targets[0].fields), bool(k.target_field)))
            for rect in rects:
                form.rect = rect
                for kind in open_kinds if rect is rects[0] else [tallest]:  # a short rect: the most crowded kind
                    form._kind, form._target = kind.kind, kind.targets[0].value
                    form.rebuild()
                    assert form.kind.kind == kind.kind
                    for name, element in form.widgets.items():
                        assert rect.contains(element.rect), (actor, kind.kind, name)
            form.kill()
            play_phase(s, actor, pol[actor])
    assert not [str(w.message) for w in caught if "too small" in str(w.message)]
