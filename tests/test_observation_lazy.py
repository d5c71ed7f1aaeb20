"""The session's observations make some parts on first read (wargame/observation.py,
observe_lazily): whenever and however a part is read, it is what the eager observe() built at
the instant of observing, even after the seat's own orders (or the quarter's resolution) have
changed the world."""

from __future__ import annotations

import copy
import pickle

from wargame.model import OBSERVATION, stream
from wargame.observation import Observation, observe
from wargame.runner import make_seats
from wargame.scenario import load_scenario
from wargame.session import GameSession

LAZY = ("last_record", "estimates", "moves_this_turn", "dice_seed")


def _eager(s: GameSession, actor: str) -> Observation:
    """What observe() builds for `actor` now, every part at once."""
    last = s.timeline[-1] if s.timeline else {}
    rng = stream(s.seed, OBSERVATION, s.world.turn, s.actors.index(actor))
    return observe(s.world, s.model.params, actor, last, list(s._public), rng, s.quarter, s.observe(actor).dice_seed)


def _same(lazy: Observation, eager: Observation) -> None:
    assert lazy.model_dump() == eager.model_dump()
    assert lazy.model_dump_json() == eager.model_dump_json()
    assert lazy == eager and eager == lazy
    assert list(lazy.__dict__) == list(eager.__dict__) and lazy.__pydantic_private__ is None
    assert lazy.__pydantic_fields_set__ == eager.__pydantic_fields_set__


def _phases(scenario: str, seed: int, quarters: int, policy: str = "doctrine"):
    """(session, actor) at the start of every seat's phase, the seat then playing its orders
    (decided on an observation of its own, so the one handed out is not read)."""
    s = GameSession(load_scenario(scenario), seed)
    seats = make_seats(s, {a: policy for a in s.actors})
    while not s.is_over and s.world.turn < quarters:
        actor = s.current_actor
        yield s, actor
        mine = s.observe(actor)
        while True:
            move = seats[actor].decide(mine, s.legal(actor), s.policy_rng(actor))
            assert s.submit(actor, move) is None
            if move.kind == "pass":
                break


def test_lazy_parts_read_after_the_seat_ordered_are_what_was_observed():
    for policy in ("doctrine", "random"):
        held = []
        for s, actor in _phases("baseline", 12, 3, policy):
            held.append((s.observe(actor), _eager(s, actor)))
        assert any(eager.moves_this_turn for _, eager in held) and any(eager.estimates for _, eager in held)
        for i, (lazy, eager) in enumerate(held):  # read long after: the game has moved on by quarters
            part = LAZY[i % len(LAZY)]
            assert getattr(lazy, part) == getattr(eager, part)  # one part first, then the whole
            _same(lazy, eager)


def test_every_way_of_reading_a_lazy_observation_makes_its_parts_first():
    for s, actor in _phases("baseline", 3, 2):
        eager = _eager(s, actor)
        readers = (
            lambda o: o.model_dump(mode="json"), lambda o: dict(o), repr, lambda o: copy.copy(o).model_dump(),
            lambda o: copy.deepcopy(o).model_dump(), lambda o: pickle.loads(pickle.dumps(o)).model_dump(),
            lambda o: o.model_copy(update={"turn": 99}).model_dump(), lambda o: o.model_copy(deep=True).model_dump(),
        )
        want = (eager.model_dump(mode="json"), dict(eager), repr(eager), eager.model_dump(), eager.model_dump(),
                eager.model_dump(), {**eager.model_dump(), "turn": 99}, eager.model_dump())
        for read, wanted in zip(readers, want, strict=True):
            lazy = s.observe(actor)
            assert read(lazy) == wanted
            _same(lazy, eager)


def test_a_lazy_part_is_made_once():
    for s, actor in _phases("baseline", 5, 2):
        obs = s.observe(actor)
        assert all(part not in obs.__dict__ for part in LAZY)
        assert obs.estimates is obs.estimates and obs.last_record is obs.last_record
        assert obs.moves_this_turn is obs.moves_this_turn and obs.dice_seed is obs.dice_seed
        assert all(part in obs.__dict__ for part in LAZY) and obs.__pydantic_private__ is None
