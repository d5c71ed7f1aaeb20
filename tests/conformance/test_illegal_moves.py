"""Generated illegal moves are refused and leave the session byte-identical.

Hypothesis draws the bad move from the current seat's legal list (then breaks it) at a few
fixed game positions: amounts out of range or non-finite, choices and targets that do not
exist, moves by or for the wrong actor, malformed dicts, repeated (kind, target) orders in one
quarter, and anything at all once the game is over. A refusal must say what is wrong and what
is allowed, and the snapshot, the world and the move log must not change.
"""

from __future__ import annotations

import functools
import json
import math
import pickle
import re

import pytest
from conftest import all_seats, finished_game, into_a_quarter, new_session, scenario
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError

from agents.us import enforcement_bounds
from wargame import moves as mv
from wargame.moves import Refusal
from wargame.runner import play_phase

# --- positions ---------------------------------------------------------------------------------


def _mid_phase(name: str, seed: int, turns: int, phases: int, orders: int):
    """Random play for `turns` quarters, then `phases` whole seats, then `orders` orders."""
    return into_a_quarter(name, seed, all_seats(name, "random"), turns, phases, orders)


@functools.cache
def positions(name: str) -> tuple[bytes, ...]:
    """Pickled sessions at a turn start, mid-phase early and mid-phase late in the game."""
    n = len(new_session(name)[0].actors)
    return tuple(pickle.dumps(s) for s in (
        new_session(name, 0)[0],
        _mid_phase(name, 1, 2, 1, 1),
        _mid_phase(name, 2, 5, n // 2, 2),
        _mid_phase(name, 3, 9, n - 1, 1),
    ))


@functools.cache
def catalogue(name: str) -> dict[str, tuple]:
    """Moves that were legal for each actor at some point of a random game."""
    s, pol = new_session(name, 4, all_seats(name, "random"))
    seen: dict[str, dict] = {a: {} for a in s.actors}
    while not s.is_over:
        actor = s.current_actor
        for m in s.legal_moves(actor):
            seen[actor].setdefault(m.kind, m)
        play_phase(s, actor, pol[actor])
    return {a: tuple(v.values()) for a, v in seen.items()}


def position(data, name: str):
    blobs = positions(name)
    return pickle.loads(blobs[data.draw(st.integers(0, len(blobs) - 1), label="position")])


# --- the refusal contract ----------------------------------------------------------------------


def fingerprint(s) -> tuple:
    return (s.snapshot_hash(), s.state_hash(), json.dumps(s.moves, sort_keys=True), s.current_actor, len(s.timeline))


def assert_refused(s, actor, move, reason: str | None = None) -> Refusal:
    before = fingerprint(s)
    _, checked = s.check(actor, move)
    refusal = s.submit(actor, move)
    assert isinstance(refusal, Refusal), f"accepted: {move!r} from {actor!r}"
    assert refusal.reason.strip() and refusal.allowed.strip()
    assert checked == refusal, "check() and submit() disagree"
    assert fingerprint(s) == before, f"a refused move changed the session: {move!r}"
    if reason is not None:
        assert re.search(reason, refusal.reason), refusal.reason
    return refusal


def fields_of(m, kind: type) -> list[str]:
    """Names of the move's own fields (not kind/actor) whose value is of exactly this type."""
    return [k for k, v in m.model_dump().items() if k not in ("kind", "actor") and type(v) is kind]


def rebuilt(m, **changes):
    """The same move with some fields replaced, as a move object if pydantic builds one (a
    non-finite number does not), else as the dict an outside client would send."""
    body = {**m.model_dump(), **changes}
    try:
        return type(m)(**body)
    except ValidationError:
        return body


NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
JUNK = st.one_of(st.none(), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


# --- generated illegal moves ---------------------------------------------------------------------


@given(data=st.data())
def test_out_of_range_amounts_are_refused(scenario_name, data):
    s = position(data, scenario_name)
    actor = s.current_actor
    legal = s.legal_moves(actor)
    numeric = [m for m in legal if fields_of(m, float)]
    assume(numeric)
    m = data.draw(st.sampled_from(numeric), label="move")
    name = data.draw(st.sampled_from(fields_of(m, float)), label="field")
    listed = [getattr(x, name) for x in legal if x.key() == m.key()]
    lo, hi = min(listed), max(listed)
    bad = data.draw(st.one_of(  # from one ulp past a bound outwards: no tolerance
        st.floats(max_value=math.nextafter(lo, -math.inf), allow_nan=False),
        st.floats(min_value=math.nextafter(hi, math.inf), allow_nan=False),
        st.floats(min_value=1e12, max_value=1e300),
        NON_FINITE,
    ), label="value")
    assert_refused(s, actor, rebuilt(m, **{name: bad}), reason=re.escape(name) + "|" + m.kind)


@given(data=st.data())
def test_unknown_choices_and_targets_are_refused(scenario_name, data):
    s = position(data, scenario_name)
    actor = s.current_actor
    legal = s.legal_moves(actor)
    textual = [m for m in legal if fields_of(m, str)]
    assume(textual)
    m = data.draw(st.sampled_from(textual), label="move")
    name = data.draw(st.sampled_from(fields_of(m, str)), label="field")
    valid = {getattr(x, name) for x in legal if x.kind == m.kind}
    bad = data.draw(st.text(max_size=24).filter(lambda t: t not in valid), label="value")
    assert_refused(s, actor, rebuilt(m, **{name: bad}))


@given(data=st.data())
def test_switches_to_the_current_setting_are_refused(scenario_name, data):
    """A yes/no order that changes nothing (e.g. KYC on when it is on) is not a legal move."""
    s = position(data, scenario_name)
    actor = s.current_actor
    legal = s.legal_moves(actor)
    flags = [(m, k) for m in legal for k in fields_of(m, bool)]
    assume(flags)
    m, name = data.draw(st.sampled_from(flags), label="move")
    valid = {getattr(x, name) for x in legal if x.key() == m.key()}
    assume(len(valid) == 1)
    assert_refused(s, actor, rebuilt(m, **{name: not next(iter(valid))}))


@given(data=st.data())
def test_moves_out_of_turn_are_refused(scenario_name, data):
    s = position(data, scenario_name)
    current = s.current_actor
    other = data.draw(st.sampled_from([a for a in s.actors if a != current]), label="other")
    theirs = list(catalogue(scenario_name)[other]) + [mv.Pass(actor=other)]
    move = data.draw(st.sampled_from(theirs), label="move")
    assert_refused(s, other, move, reason="turn")       # the other seat orders out of turn
    assert_refused(s, current, move)                     # the seat in turn submits another's move


@given(data=st.data())
def test_moves_for_another_actor_are_refused(scenario_name, data):
    """The seat in turn submits its own legal move relabelled with another actor's id."""
    s = position(data, scenario_name)
    current = s.current_actor
    m = data.draw(st.sampled_from(s.legal_moves(current)), label="move")
    other = data.draw(st.sampled_from([a for a in s.actors if a != current]), label="other")
    assert_refused(s, current, m.model_copy(update={"actor": other}))
    assert_refused(s, current, {**m.model_dump(mode="json"), "actor": other})


@given(data=st.data(), name=st.text(max_size=16))
def test_unknown_actors_are_refused(scenario_name, data, name):
    s = position(data, scenario_name)
    assume(name not in s.actors)
    assert_refused(s, name, mv.Pass(actor=name))
    assert_refused(s, name, {"kind": "pass", "actor": name})
    with pytest.raises(KeyError):
        s.observe(name)


@given(data=st.data())
def test_random_dicts_are_refused(scenario_name, data):
    s = position(data, scenario_name)
    body = data.draw(st.dictionaries(st.text(max_size=10), st.one_of(st.text(max_size=10), st.floats(), st.booleans(), JUNK),
                                     max_size=4), label="body")
    kind = data.draw(st.one_of(st.none(), st.text(max_size=20), st.integers(), JUNK), label="kind")
    assume(not isinstance(kind, str) or kind not in mv.KINDS)
    if kind is not None or data.draw(st.booleans()):
        body["kind"] = kind
    else:
        body.pop("kind", None)
    refusal = assert_refused(s, s.current_actor, body, reason="malformed")
    assert "legal_moves" in refusal.allowed


@given(data=st.data())
def test_broken_move_dicts_are_refused(scenario_name, data):
    """A legal move's dict with a required field dropped, an extra field, or a field of the wrong type."""
    s = position(data, scenario_name)
    actor = s.current_actor
    m = data.draw(st.sampled_from(s.legal_moves(actor)), label="move")
    body = m.model_dump(mode="json")
    cls = type(m)
    required = ["kind"] + [k for k, f in cls.model_fields.items() if f.is_required()]
    how = data.draw(st.sampled_from(["drop", "extra", "junk", "kind"]), label="how")
    if how == "drop":
        body.pop(data.draw(st.sampled_from(required)))
    elif how == "extra":
        body[data.draw(st.text(min_size=1, max_size=12).filter(lambda k: k not in cls.model_fields))] = 1
    elif how == "junk":
        body[data.draw(st.sampled_from(sorted(k for k in body if k != "kind")))] = data.draw(JUNK)
    else:
        body["kind"] = data.draw(st.text(max_size=20).filter(lambda k: k not in mv.KINDS))
    parsed, refusal = s.check(actor, body)
    assert parsed is None and refusal is not None
    assert_refused(s, actor, body, reason="malformed")


@given(data=st.data())
def test_repeated_orders_in_a_quarter_are_refused(scenario_name, data):
    s = position(data, scenario_name)
    actor = s.current_actor
    legal = s.legal_moves(actor)
    orders = [m for m in legal if m.kind != "pass"]
    assume(orders)
    first = data.draw(st.sampled_from(orders), label="first")
    assert s.submit(actor, first) is None
    same = [m for m in legal if m.key() == first.key()]
    again = data.draw(st.sampled_from(same), label="again")
    refusal = assert_refused(s, actor, again)
    if s.legal_moves(actor) != [mv.Pass(actor=actor)]:  # unless the quarter's order budget is spent
        assert "already ordered" in refusal.reason
    assert first.key() not in {m.key() for m in s.legal_moves(actor)}


@functools.cache
def _finished_blob(name: str) -> bytes:
    return pickle.dumps(finished_game(name, 0))


@given(data=st.data())
def test_nothing_is_accepted_after_the_game(scenario_name, data):
    s = pickle.loads(_finished_blob(scenario_name))
    assert s.is_over
    actor = data.draw(st.sampled_from(list(s.actors)), label="actor")
    move = data.draw(st.sampled_from(list(catalogue(scenario_name)[actor]) + [mv.Pass(actor=actor)]), label="move")
    assert_refused(s, actor, move, reason="over")
    assert_refused(s, actor, move.model_dump(mode="json"), reason="over")


# --- hand-written examples: the message names the bound ----------------------------------------


def at_seat(name: str, actor: str, seed: int = 0):
    """A fresh session with every seat before `actor` passed."""
    s, _ = new_session(name, seed)
    while s.current_actor != actor:
        assert s.submit(s.current_actor, mv.Pass(actor=s.current_actor)) is None
    return s


def parse_range(allowed: str) -> tuple[float, float]:
    m = re.search(r"(-?[\d.]+(?:e[+-]?\d+)?)\.\.(-?[\d.]+(?:e[+-]?\d+)?)", allowed)
    assert m, f"no lo..hi range in {allowed!r}"
    return float(m.group(1)), float(m.group(2))


@pytest.mark.parametrize("budget", [1e9, -5.0, math.nan, math.inf])
def test_enforcement_refusal_names_the_range(scenario_name, budget):
    s = at_seat(scenario_name, "us")
    if "set_enforcement" in scenario(scenario_name).locks.get("us", {}):
        assert_refused(s, "us", {"kind": "set_enforcement", "actor": "us", "budget_usd_m": budget})
        return
    lo, hi = enforcement_bounds(s.world, s.model.params)
    if not math.isfinite(budget):  # no move object holds a non-finite number; a client's dict is refused
        r = assert_refused(s, "us", {"kind": "set_enforcement", "actor": "us", "budget_usd_m": budget}, reason="budget_usd_m")
        assert "finite" in r.reason
        return
    r = assert_refused(s, "us", mv.SetEnforcement(budget_usd_m=budget), reason="budget_usd_m")
    assert "out of bounds" in r.reason
    assert r.allowed.startswith("budget_usd_m:")
    got_lo, got_hi = parse_range(r.allowed)
    assert got_lo == pytest.approx(lo, rel=1e-5) and got_hi == pytest.approx(hi, rel=1e-5)
    assert "USD million" in r.allowed


def test_directive_refusal_names_the_range(scenario_name):
    s = at_seat(scenario_name, "china")
    r = assert_refused(s, "china", mv.SetSMICDirective(huawei_share=0.95), reason="huawei_share")
    assert parse_range(r.allowed) == (0.1, 0.6)


def test_unknown_choice_refusal_lists_the_options(scenario_name):
    s = at_seat(scenario_name, "us")
    # intel effort is never locked by a scenario, so its options are always listed
    r = assert_refused(s, "us", mv.SetIntelEffort(level="moon"), reason="moon")
    options = {m.level for m in s.legal_moves("us") if m.kind == "set_intel_effort"}
    assert options and all(o in r.allowed for o in options)


def test_unknown_target_refusal_lists_the_targets(scenario_name):
    s = at_seat(scenario_name, "smugglers")
    r = assert_refused(s, "smugglers", mv.RouteVia(hub="atlantis", h100e=10.0), reason="not a valid target")
    assert all(n in r.allowed for n in s.scenario.tier2)


def test_out_of_turn_refusal_says_whose_turn(scenario_name):
    s = at_seat(scenario_name, "us")
    r = assert_refused(s, "china", mv.SetSMICDirective(huawei_share=0.3))
    assert "us" in r.reason and "china" in r.reason and "us" in r.allowed


def test_another_actors_kind_is_refused_with_the_kinds_allowed(scenario_name):
    s = at_seat(scenario_name, "us")
    r = assert_refused(s, "us", {"kind": "set_stance", "actor": "us", "stance": "hedge"})
    assert "set_stance" in r.reason
    assert "set_intel_effort" in r.allowed and "pass" in r.allowed  # kinds the US has now (no scenario locks these)


def test_malformed_dict_refusal(scenario_name):
    s = at_seat(scenario_name, "us")
    r = assert_refused(s, "us", {"kind": "nuke", "actor": "us"}, reason="malformed")
    assert "legal_moves" in r.allowed
    assert_refused(s, "us", {"kind": "set_enforcement", "actor": "us", "budget_usd_m": "lots"}, reason="budget_usd_m")
    assert_refused(s, "us", {"kind": "set_enforcement", "actor": "us"}, reason="budget_usd_m")
    assert_refused(s, "us", {}, reason="malformed")


def test_refusal_after_the_game(scenario_name):
    s = finished_game(scenario_name, 0)
    r = assert_refused(s, s.actors[0], mv.Pass(actor=s.actors[0]), reason="over")
    assert r.allowed == "nothing"


def test_positions_cover_several_seats(scenario_name):
    """The generated tests above see different seats, some with orders already given."""
    sessions = [pickle.loads(b) for b in positions(scenario_name)]
    assert len({s.current_actor for s in sessions}) >= 3
    assert max(len(s._used) for s in sessions) >= 1
    assert len({s.world.turn for s in sessions}) >= 3
