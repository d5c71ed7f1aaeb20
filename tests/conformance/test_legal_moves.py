"""Legal moves are sorted, unique, all valid and all accepted (PettingZoo api_test style).

At every decision point of a few random games the cheap properties are checked for the seat
that is ordering (and that every other seat is offered nothing); at sampled points (turn
starts and mid-phase, after some orders) every listed move is also submitted to a pickled copy
of the session and must be accepted. Over a game each actor must be offered every kind of
move DESIGN §2 gives it; kinds that depend on the state (licences, lying low, ...) are reached
by a seat that seeks kinds it has not tried yet.
"""

from __future__ import annotations

import functools
import pickle

import numpy as np
import pytest
from conftest import all_seats, mixed_seats, new_session, scenario

from policies.random_policy import RandomPolicy
from wargame import moves as mv
from wargame.runner import make_seats, play_phase
from wargame.session import MAX_ORDERS_PER_TURN, GameSession

FULL_CHECK_TURNS = (1, 3, 12)  # turns (1-based) where every move is also submitted


def kinds_for(actor: str, sc, respect_locks: bool = True) -> set[str]:
    """The move kinds an actor owns, read off the `actor` Literal of each move class, less any
    kind the scenario locks for the whole game (a policy assumption of that scenario)."""
    locked = {k for k, lock in sc.locks.get(actor, {}).items() if lock.until is None} if respect_locks else set()
    out = {"pass"}
    for cls in mv.MOVE_CLASSES:
        kind = cls.model_fields["kind"].default
        if kind == "pass":
            continue
        field = cls.model_fields["actor"]
        owner = None if field.is_required() else field.default  # Tier-2 moves name no actor
        if (owner == actor or (owner is None and actor in sc.tier2)) and kind not in locked:
            out.add(kind)
    return out


def test_every_move_class_has_an_owner(scenario_name):
    sc = scenario(scenario_name)
    owned = set().union(*(kinds_for(a, sc, respect_locks=False) for a in sc.actors))
    assert owned == set(mv.KINDS), f"kinds no actor may make: {sorted(set(mv.KINDS) - owned)}"
    assert {"set_stance", "set_transship_controls", "build_datacentres", "set_chinese_tenants"} <= kinds_for(sc.tier2[0], sc, False)
    assert kinds_for("us", sc, False) >= {"set_threshold", "decide_licence", "set_enforcement", "add_entity"}
    assert "lie_low" in kinds_for("smugglers", sc, False) and "lie_low" not in kinds_for("us", sc, False)


def check_listing(session, actor: str, legal: list) -> None:
    """The cheap properties, at every decision point."""
    where = f"turn {session.world.turn + 1}, {actor}"
    keys = [m.model_dump_json() for m in legal]
    assert keys == sorted(keys), f"{where}: legal moves are not sorted"
    assert len(set(keys)) == len(keys), f"{where}: legal moves repeat"
    assert [m.kind for m in legal].count("pass") == 1, f"{where}: not exactly one pass"
    for m in legal:
        assert m.actor == actor, f"{where}: {m.describe()} is another actor's move"
        parsed, refusal = session.check(actor, m)
        assert refusal is None, f"{where}: listed {m.describe()} is refused: {refusal}"
        assert parsed == m
        again, refusal = session.check(actor, m.model_dump(mode="json"))  # the dict form agrees
        assert refusal is None and again == m, f"{where}: {m.describe()} as a dict: {refusal}"
    for other in session.actors:
        if other != actor:
            assert session.legal_moves(other) == [], f"{where}: {other} is offered moves out of turn"


def check_submissions(session, actor: str, legal: list) -> None:
    """Every listed move is accepted by a copy of the session; the original is untouched."""
    before = (session.snapshot_hash(), len(session.moves))
    blob = pickle.dumps(session)
    for m in legal:
        c = pickle.loads(blob)
        refusal = c.submit(actor, m)
        assert refusal is None, f"turn {session.world.turn + 1}: {m.describe()} listed but refused: {refusal}"
        assert c.moves[-1]["actor"] == actor and c.moves[-1]["move"] == m.model_dump(mode="json")
        if m.kind == "pass":
            assert c.current_actor != actor or len(session.actors) == 1
        else:
            assert m.key() not in {x.key() for x in c.legal_moves(actor)}, f"{m.describe()} offered twice"
    assert (session.snapshot_hash(), len(session.moves)) == before


def drive(session, policies, on_point) -> None:
    """Play to the end like runner.play, calling on_point(session, actor, legal, n_orders)."""
    while not session.is_over:
        actor = session.current_actor
        obs, rng = session.observe(actor), session.policy_rng(actor)
        for n in range(MAX_ORDERS_PER_TURN + 1):
            legal = session.legal_moves(actor)
            on_point(session, actor, legal, n)
            move = policies[actor].decide(obs, legal, rng)
            assert session.submit(actor, move) is None
            if move.kind == "pass":
                break


@pytest.mark.parametrize("seats", ["random", "mixed"])
def test_legal_moves_at_every_point(scenario_name, seats):
    st = all_seats(scenario_name, "random") if seats == "random" else mixed_seats(scenario_name)
    session, policies = new_session(scenario_name, 11, st)
    counts = {"points": 0, "full": 0}

    def on_point(s, actor, legal, n):
        counts["points"] += 1
        check_listing(s, actor, legal)
        if s.world.turn + 1 in FULL_CHECK_TURNS and n in (0, 2):
            counts["full"] += 1
            check_submissions(s, actor, legal)

    drive(session, policies, on_point)
    assert counts["full"] >= len(FULL_CHECK_TURNS) * len(session.actors)  # every seat at every sampled turn start
    assert counts["points"] > session.scenario.turns * len(session.actors)


def test_no_moves_once_the_game_is_over(finished, scenario_name):
    s = finished(scenario_name, 0)
    assert s.is_over and s.current_actor is None
    for actor in s.actors:
        assert s.legal_moves(actor) == []


def test_unknown_actor_has_no_legal_moves_and_is_an_error(scenario_name):
    s, _ = new_session(scenario_name, 0)
    with pytest.raises(KeyError, match="unknown actor"):
        s.legal_moves("atlantis")


class CoverageSeeker:
    """Tries every kind it has not tried yet, as soon as it is offered; otherwise plays randomly.

    Seeking drives the state into the conditions some kinds need (Nvidia requests a licence,
    so the US may decide it next quarter; smugglers lie low; ...).
    """

    name = "coverage"

    def __init__(self):
        self.tried: set[str] = set()
        self.fallback = RandomPolicy()

    def decide(self, obs, legal, rng):
        fresh = [m for m in legal if m.kind not in self.tried and m.kind != "pass"]
        if fresh:
            move = fresh[int(rng.integers(len(fresh)))]
            self.tried.add(move.kind)
            return move
        return self.fallback.decide(obs, legal, rng)


@functools.cache
def offered_kinds(scenario_name: str, seed: int, seeker: bool) -> dict[str, frozenset[str]]:
    session, policies = new_session(scenario_name, seed, all_seats(scenario_name, "random"))
    if seeker:
        policies = {a: CoverageSeeker() for a in session.actors}
    seen: dict[str, set[str]] = {a: set() for a in session.actors}

    def on_point(s, actor, legal, n):
        seen[actor] |= {m.kind for m in legal}

    drive(session, policies, on_point)
    return {a: frozenset(k) for a, k in seen.items()}


def test_every_actor_is_offered_every_kind(scenario_actor):
    name, actor = scenario_actor
    expected = kinds_for(actor, scenario(name))
    seen = set(offered_kinds(name, 0, seeker=False)[actor])
    assert seen <= expected, f"{actor} offered kinds it does not own: {sorted(seen - expected)}"
    seed = 0
    while not expected <= seen and seed < 4:  # drive the state for the conditional kinds
        seen |= offered_kinds(name, seed, seeker=True)[actor]
        seed += 1
    assert seen == expected, f"{actor} never offered {sorted(expected - seen)}"


def test_order_budget_per_quarter(scenario_name):
    """After MAX_ORDERS_PER_TURN orders only `pass` is left, a further order is refused for the
    budget, and the next seat starts afresh."""
    # the scenario's locks (the record) would leave the first seat too few distinct orders
    s = GameSession(scenario(scenario_name).model_copy(update={"locks": {}}), 0)
    actor = s.current_actor
    first = s.legal_moves(actor)
    if len({m.key() for m in first if m.kind != "pass"}) <= MAX_ORDERS_PER_TURN:
        pytest.skip(f"{actor} has too few distinct orders to exhaust the budget")
    rng = np.random.default_rng(0)
    used = set()
    for _ in range(MAX_ORDERS_PER_TURN):
        others = [m for m in s.legal_moves(actor) if m.kind != "pass"]
        move = others[int(rng.integers(len(others)))]
        assert s.submit(actor, move) is None
        used.add(move.key())
    assert s.legal_moves(actor) == [mv.Pass(actor=actor)]
    spare = next(m for m in first if m.kind != "pass" and m.key() not in used)
    before = s.snapshot_hash()
    refusal = s.submit(actor, spare)
    assert refusal is not None and str(MAX_ORDERS_PER_TURN) in refusal.reason and refusal.allowed == "pass"
    assert s.snapshot_hash() == before
    assert s.submit(actor, mv.Pass(actor=actor)) is None
    nxt = s.current_actor
    assert nxt != actor and len(s.legal_moves(nxt)) > 1


def test_legal_moves_after_each_phase_of_doctrine_play(scenario_name):
    """Doctrine seats only ever pick listed moves (clamped amounts) — the listing is usable."""
    s, _ = new_session(scenario_name, 2)
    policies = make_seats(s)
    for _ in range(3 * len(s.actors)):
        actor = s.current_actor
        check_listing(s, actor, s.legal_moves(actor))
        play_phase(s, actor, policies[actor])


@pytest.mark.parametrize("share", [0.123454321, 0.3000004])
def test_listed_amounts_respect_a_lower_bound_off_the_grid(scenario_name, share):
    """China may set any directive in 0.1..0.6; SMIC's floor is that directive. Every listed
    move must still validate (here the floor 0.123454321 is listed as 0.123454 and refused)."""
    s, _ = new_session(scenario_name, 1)
    while s.current_actor != "china":
        assert s.submit(s.current_actor, mv.Pass(actor=s.current_actor)) is None
    assert s.submit("china", mv.SetSMICDirective(huawei_share=share)) is None
    while s.current_actor != "smic":
        assert s.submit(s.current_actor, mv.Pass(actor=s.current_actor)) is None
    refused = [(m.describe(), str(r)) for m in s.legal_moves("smic") if (r := s.check("smic", m)[1]) is not None]
    assert refused == []
