"""`fit` (checking a wanted move against the actor's bounds) gives exactly what scanning the full
legal list gives (`policies.doctrine.fit_to_legal`), and the lazy `LegalMoves` a policy receives
lists exactly `legal_moves`. The fast path a doctrine takes is thereby the rules, not a copy.
"""

from __future__ import annotations

import pickle

from conftest import all_seats, into_a_quarter, new_session
from hypothesis import given
from hypothesis import strategies as st
from test_illegal_moves import catalogue

from policies.doctrine import PLANS, Dice, fit_to_legal, tier2_plan
from wargame import moves as mv
from wargame.runner import play_phase


def _positions(name: str) -> list[bytes]:
    n = len(new_session(name)[0].actors)
    return [pickle.dumps(into_a_quarter(name, seed, all_seats(name, "random"), turns, phases, orders))
            for seed, turns, phases, orders in ((1, 0, 0, 0), (2, 2, 3, 1), (3, 5, n - 2, 2), (4, 8, n - 1, 3))]


_CACHE: dict[str, list[bytes]] = {}


def positions(name: str) -> list[bytes]:
    if name not in _CACHE:
        _CACHE[name] = _positions(name)
    return _CACHE[name]


def same(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a == b and type(a) is type(b))


@given(data=st.data())
def test_fit_matches_the_listed_moves(scenario_name, data):
    blobs = positions(scenario_name)
    s = pickle.loads(blobs[data.draw(st.integers(0, len(blobs) - 1), label="position")])
    actor = data.draw(st.sampled_from([s.current_actor] * 3 + list(s.actors)), label="actor")
    wanted = data.draw(st.sampled_from(list(catalogue(scenario_name)[actor]) + [mv.Pass(actor=actor)]), label="move")
    body = wanted.model_dump()
    for name, value in body.items():
        if isinstance(value, float) and data.draw(st.booleans()):
            body[name] = data.draw(st.one_of(st.floats(-1e9, 1e9), st.sampled_from([0.0, -1e-9, 1.0, 1e12])), label=name)
    move = type(wanted)(**body)
    listed = s.legal_moves(actor)
    assert same(s.fit(actor, move), fit_to_legal(move, listed))
    lazy = s.legal(actor)
    assert list(lazy) == listed and len(lazy) == len(listed)


def test_doctrine_plans_fit_alike_through_a_whole_game(scenario_name):
    """Every move every doctrine wanted in a game: fit and the full scan agree."""
    s, pol = new_session(scenario_name, 13, all_seats(scenario_name, "doctrine"))
    checked = 0
    while not s.is_over:
        actor = s.current_actor
        obs = s.observe(actor)
        plan = PLANS.get(actor, tier2_plan)(obs, Dice(obs.dice_seed))
        listed = s.legal_moves(actor)
        for wanted in plan:
            assert same(s.fit(actor, wanted), fit_to_legal(wanted, listed)), wanted
            checked += 1
        # fit_first (what a doctrine calls) is the first of those fits that is not None
        first = next((m for m in (fit_to_legal(w, listed) for w in plan) if m is not None), None)
        assert same(s.fit_first(actor, plan), first)
        play_phase(s, actor, pol[actor])
    assert checked > 100


def test_a_vouched_move_goes_stale_when_the_session_changes():
    """A move fitted before another order spent the budget is checked afresh, not waved through."""
    s, _ = new_session("baseline", 0)
    while s.current_actor != "china":
        assert s.submit(s.current_actor, mv.Pass(actor=s.current_actor)) is None
    legal = s.legal("china")
    sectors = [m for m in legal if m.kind == "set_subsidy"]
    biggest = legal.fit(max(sectors, key=lambda m: m.usd_b).model_copy(update={"usd_b": 1e9}))
    other = next(m for m in sectors if m.sector != biggest.sector)
    spend = legal.fit(other.model_copy(update={"usd_b": 1e9}))  # the other sector takes what is left
    assert s.submit("china", spend) is None
    refusal = s.submit("china", biggest)  # fitted (and vouched) before the budget went
    assert refusal is not None and "usd_b" in refusal.reason


@given(data=st.data())
def test_kinds_and_moves_of_a_kind_match_the_listing(scenario_name, data):
    blobs = positions(scenario_name)
    s = pickle.loads(blobs[data.draw(st.integers(0, len(blobs) - 1), label="position")])
    actor = data.draw(st.sampled_from([s.current_actor] * 3 + list(s.actors)), label="actor")
    listed = s.legal_moves(actor)
    others = [m for m in listed if m.kind != "pass"]
    assert s.listed_kinds(actor) == sorted({m.kind for m in others})
    for kind in s.listed_kinds(actor):
        assert s.moves_of_kind(actor, kind) == [m for m in others if m.kind == kind]


def test_specs_aimed_at_a_target_are_that_targets_part_of_the_kind(scenario_name):
    """Asked for one target of a kind (what fit asks), an agent builds exactly the kind's specs
    naming that target, in order, at varied positions; kept answers (per token) agree both ways."""
    for blob in positions(scenario_name):
        s = pickle.loads(blob)
        w, p = s.world, s.model.params
        for actor in s.actors:
            agent = s.model.by_id[actor]
            for kind in agent.builders:
                tf = mv.KINDS[kind].target_field
                if tf is None:
                    continue
                full = agent.open_specs(w, p, None, kind)
                for target in sorted({str(x.fixed[tf]) for x in agent.specs(w, p, kind)}) + ["nowhere"]:
                    part = [x for x in full if str(x.fixed[tf]) == target]
                    assert agent.specs(w, p, kind, target) == [x for x in agent.specs(w, p, kind) if str(x.fixed[tf]) == target]
                    assert agent.open_specs(w, p, None, kind, target) == part, (actor, kind, target)
                    token = object()
                    assert agent.open_specs(w, p, token, kind, target) == part  # built for the target
                    assert agent.open_specs(w, p, token, kind, target) == part  # kept
                    assert agent.open_specs(w, p, token, kind) == full
                    token = object()
                    agent.open_specs(w, p, token)
                    assert agent.open_specs(w, p, token, kind, target) == part  # from the kept full list

