"""The order form's model (wargame/orders.py), headless: it offers exactly what the session lists,
explains every move kind, and turns form input into a checked move or a plain reason, never
changing the game."""

from __future__ import annotations

import sys

import pytest
from conftest import SCENARIO_NAMES, scenario

from wargame.moves import KINDS, MOVE_CLASSES, Pass
from wargame.orders import COSTS, EXPLANATIONS, LABELS, OrderField, OrderKind, build_order, order_kinds, orders_given
from wargame.session import MAX_ORDERS_PER_TURN, GameSession


def at_turn_of(name: str, actor: str) -> GameSession:
    """A fresh game of `name` at turn 1, every seat before `actor` having passed."""
    s = GameSession(scenario(name), seed=0)
    while s.current_actor != actor:
        assert s.submit(s.current_actor, Pass(actor=s.current_actor)) is None
    return s


def defaults(target) -> dict:
    return {f.name: f.default for f in target.fields}


def beyond(f: OrderField) -> list[float]:
    step = max(1.0, abs(f.hi - f.lo) * 0.01)
    return [f.hi + step, f.lo - step]


def test_every_move_kind_has_a_label_explanation_and_cost():
    kinds = {c.model_fields["kind"].default for c in MOVE_CLASSES}
    assert kinds == set(KINDS)
    for kind in kinds:
        assert LABELS.get(kind, "").strip(), kind
        assert EXPLANATIONS.get(kind, "").strip().endswith("."), kind
        assert COSTS.get(kind, "").strip().endswith("."), kind
    assert not set(EXPLANATIONS) - kinds  # no text for a kind that does not exist


def test_the_model_and_the_intel_view_are_pygame_free():
    import subprocess

    code = "import sys, wargame.orders, ui.intel; print(any(m.split('.')[0] in ('pygame', 'pygame_gui') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_kinds_match_the_session_and_bounds_are_exact(name):
    """Every seat of every scenario at turn 1: the open kinds are exactly the listed ones; each field
    at its lower and upper bound builds a move the session accepts; past a bound, or not a number,
    gives a message and changes nothing."""
    s = GameSession(scenario(name), seed=0)
    for actor in s.actors:
        assert s.current_actor == actor
        kinds = order_kinds(s, actor)
        assert {k.kind for k in kinds if k.is_open} == set(s.listed_kinds(actor)), (name, actor)
        assert {k.kind for k in kinds} == {sp.kind for sp in s.model.by_id[actor].open_specs(s.world, s.model.params)}
        for k in kinds:
            assert isinstance(k, OrderKind) and k.label == LABELS[k.kind]
            assert k.secret == KINDS[k.kind].secret
            if not k.is_open:
                assert k.closed and not k.targets  # greyed, with a reason
                continue
            assert k.targets
            before = s.snapshot_hash()
            for target in k.targets:
                _check_target(s, actor, k, target)
            assert s.snapshot_hash() == before, (name, actor, k.kind)
        # other seats may order nothing now
        assert all(order_kinds(s, other) == [] for other in s.actors if other != actor)
        if actor != s.actors[-1]:
            assert s.submit(actor, Pass(actor=actor)) is None


def _check_target(s: GameSession, actor: str, k: OrderKind, target) -> None:
    base = defaults(target)
    move, reason = build_order(s, actor, k.kind, target.value, base)
    assert reason is None and move is not None, (k.kind, target.value, reason)
    assert s.check(actor, move)[1] is None
    for f in target.fields:
        if f.kind == "amount":
            assert f.lo <= f.default <= f.hi
            for bound in (f.lo, f.hi):
                move, reason = build_order(s, actor, k.kind, target.value, {**base, f.name: bound})
                assert reason is None, (k.kind, f.name, bound, reason)
                assert getattr(move, f.name) == bound
                assert s.check(actor, move)[1] is None
            for bad in beyond(f):
                move, reason = build_order(s, actor, k.kind, target.value, {**base, f.name: bad})
                assert move is None and reason and f.label in reason, (k.kind, f.name, bad)
                assert ("above the maximum" if bad > f.hi else "below the minimum") in reason
                move, reason = build_order(s, actor, k.kind, target.value, {**base, f.name: str(bad)})
                assert move is None and reason
            for junk in ("abc", "", "1e999", "nan", True):
                move, reason = build_order(s, actor, k.kind, target.value, {**base, f.name: junk})
                assert move is None and reason, (k.kind, f.name, junk)
        else:
            assert f.choices and len(f.choices) == len(f.choice_labels)
            assert f.kind == ("flag" if all(isinstance(v, bool) for v in f.choices) else "choice")
            for value, label in zip(f.choices, f.choice_labels, strict=True):
                for given in (value, label):
                    move, reason = build_order(s, actor, k.kind, target.value, {**base, f.name: given})
                    assert reason is None, (k.kind, f.name, given, reason)
                    assert getattr(move, f.name) == value
            move, reason = build_order(s, actor, k.kind, target.value, {**base, f.name: "no-such-choice"})
            assert move is None and reason


def test_an_ordered_kind_and_target_closes_and_is_refused_inline():
    s = at_turn_of("baseline", "us")
    move, reason = build_order(s, "us", "add_entity", "cxmt", {})
    assert reason is None
    assert s.submit("us", move) is None
    assert orders_given(s, "us") == [move]
    entity = next(k for k in order_kinds(s, "us") if k.kind == "add_entity")
    assert entity.is_open and entity.target("cxmt") is None  # the other targets stay open
    before = s.snapshot_hash()
    move, reason = build_order(s, "us", "add_entity", "cxmt", {})
    assert move is None and "already ordered this quarter" in reason
    assert s.snapshot_hash() == before

    move, _ = build_order(s, "us", "set_cloud_kyc", None, {"enabled": True})
    assert s.submit("us", move) is None
    kyc = next(k for k in order_kinds(s, "us") if k.kind == "set_cloud_kyc")
    assert not kyc.is_open and kyc.closed == "already ordered this quarter"
    move, reason = build_order(s, "us", "set_cloud_kyc", None, {"enabled": True})
    assert move is None and "already ordered" in reason


def test_out_of_bounds_message_names_the_limit_and_the_reason():
    s = at_turn_of("baseline", "us")
    enf = next(k for k in order_kinds(s, "us") if k.kind == "set_enforcement").targets[0].fields[0]
    move, reason = build_order(s, "us", "set_enforcement", None, {"budget_usd_m": str(enf.hi * 2)})
    assert move is None
    assert reason.startswith("Enforcement budget:") and "maximum" in reason and enf.unit in reason and enf.why in reason
    move, reason = build_order(s, "us", "set_enforcement", None, {"budget_usd_m": "lots"})
    assert move is None and "'lots' is not a number" in reason


def test_closed_kind_and_missing_target_give_reasons():
    s = at_turn_of("baseline", "us")
    licence = next(k for k in order_kinds(s, "us") if k.kind == "decide_licence")
    assert not licence.is_open and "pending" in licence.closed
    move, reason = build_order(s, "us", "decide_licence", None, {"grant": True})
    assert move is None and "not available now" in reason
    move, reason = build_order(s, "us", "add_entity", None, {})
    assert move is None and "choose a target" in reason
    move, reason = build_order(s, "us", "lie_low", None, {})
    assert move is None and reason
    move, reason = build_order(s, "us", "no_such_kind", None, {})
    assert move is None and "unknown order" in reason
    move, reason = build_order(s, "china", "set_mineral_curbs", None, {"enabled": True})
    assert move is None and "turn" in reason  # not China's turn yet


def test_pass_and_the_order_limit():
    s = at_turn_of("baseline", "smugglers")
    move, reason = build_order(s, "smugglers", "pass")
    assert reason is None and move == Pass(actor="smugglers")
    given = 0
    while given < MAX_ORDERS_PER_TURN:  # route through every hub, fragment, broker... until the limit
        open_kinds = [k for k in order_kinds(s, "smugglers") if k.is_open]
        if not open_kinds:
            break
        k = open_kinds[0]
        t = k.targets[0]
        move, reason = build_order(s, "smugglers", k.kind, t.value, defaults(t))
        assert reason is None
        assert s.submit("smugglers", move) is None
        given += 1
    kinds = order_kinds(s, "smugglers")
    assert not any(k.is_open for k in kinds) and all(k.closed for k in kinds)
