"""The speed-ups of issue 8 give exactly what the plain code gave.

Streams are seeded without numpy's SeedSequence (wargame.model.seed_state), a seat's dice seed
is read off a stream's first output, a doctrine rolls its dice only when it first needs them,
observations serialise only the public fields, and agents keep listings between calls. Each is
checked here against the straightforward computation it replaces.
"""

from __future__ import annotations

import dataclasses
import math
import random
import warnings

import numpy as np
import pytest

from agents.base import Amount, Choice, Spec
from policies.doctrine import Dice
from wargame import moves as mv
from wargame.model import POLICY, first_output, seed_state, stream
from wargame.observation import PUBLIC_FIELDS, TIER2_PUBLIC, _public_part, _public_view
from wargame.runner import make_seats, play_turn
from wargame.scenario import load_scenario
from wargame.session import QUARTER_DICE, GameSession


def numpy_stream(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def some_keys(n: int, rnd: random.Random):
    """Seeds and spawn keys of every size the game uses and some it does not."""
    for _ in range(n):
        seed = rnd.choice([0, 1, 7, 2**32 - 1, 2**32, rnd.randrange(2**32), rnd.randrange(2**63), rnd.randrange(2**96)])
        key = tuple(rnd.choice([0, 1, 2, 5, 23, QUARTER_DICE, 2**32 - 1, rnd.randrange(2**32), rnd.randrange(2**40)])
                    for _ in range(rnd.randrange(0, 7)))
        yield seed, key


def test_seed_state_is_seedsequences():
    for seed, key in some_keys(4000, random.Random(8)):
        want = np.random.SeedSequence(seed, spawn_key=key).generate_state(4, np.uint64).tolist()
        assert list(seed_state(seed, key)) == want, (seed, key)


def test_game_keys_give_numpys_streams():
    """Every key shape a game opens, for a run of seeds and turns: the same first draws."""
    for seed in (0, 1, 2, 3, 12345, 2**31 + 5):
        for turn in range(0, 40, 3):
            for key in [(0, turn), (4, turn), (1, turn, 7), (2, turn, 3, 0), (2, turn, 10, 15), (2, turn, 4, QUARTER_DICE)]:
                ours, theirs = stream(seed, *key), numpy_stream(seed, *key)
                assert ours.random(3).tolist() == theirs.random(3).tolist()
                assert ours.standard_normal(4).tolist() == theirs.standard_normal(4).tolist()
                assert ours.bit_generator.state == theirs.bit_generator.state


def test_streams_match_numpy_on_every_draw_kind():
    for seed, key in some_keys(1500, random.Random(9)):
        ours, theirs = stream(seed, *key), numpy_stream(seed, *key)
        assert ours.bit_generator.state == theirs.bit_generator.state, (seed, key)
        assert ours.integers(2**63) == theirs.integers(2**63)
        assert ours.binomial(1000, 0.3) == theirs.binomial(1000, 0.3)
        assert ours.standard_normal() == theirs.standard_normal()


def test_first_output_is_the_dice_draw():
    """integers(2**63) of a fresh stream is its first 64-bit output halved (Lemire over 2**63)."""
    for seed, key in some_keys(3000, random.Random(10)):
        assert first_output(seed, *key) >> 1 == int(numpy_stream(seed, *key).integers(2**63)), (seed, key)


def test_stream_seed_sequence_behaves_like_numpys():
    ours, theirs = stream(5, 2, 7), numpy_stream(5, 2, 7)
    seq = ours.bit_generator.seed_seq
    assert seq.entropy == 5 and tuple(seq.spawn_key) == (2, 7)
    assert seq.generate_state(3).tolist() == theirs.bit_generator.seed_seq.generate_state(3).tolist()
    a = [np.random.default_rng(c).random() for c in ours.spawn(2)]
    b = [np.random.default_rng(c).random() for c in theirs.spawn(2)]
    assert a == b


def test_numpy_integer_seeds_still_work():
    assert stream(np.int64(4), 1, 2).random() == numpy_stream(4, 1, 2).random()
    with pytest.raises(ValueError):
        seed_state(-1, ())


def test_lazy_dice_roll_as_eager_dice():
    rnd = random.Random(11)
    for seed in [rnd.randrange(2**63) for _ in range(200)]:
        g = np.random.default_rng(seed)
        u, z = g.random(Dice.SLOTS), g.standard_normal(Dice.SLOTS)
        d = Dice(seed)
        for slot in range(Dice.SLOTS):
            assert d.chance(0.37, slot) == bool(u[slot] < 0.37)
            assert d.jitter(1234.5, 0.2, slot) == 1234.5 * math.exp(0.2 * z[slot])


def test_specs_keep_dataclass_behaviour():
    s = Spec(mv.AddEntity, fixed={"target": "cxmt"})
    assert s == Spec(mv.AddEntity, {"target": "cxmt"}, {}, None) and s.kind == "add_entity"
    assert Spec(mv.LieLow).fixed == {} and Spec(mv.LieLow).fields == {}
    assert Spec(mv.LieLow).fixed is not Spec(mv.LieLow).fixed
    assert dataclasses.replace(s, unavailable="no").unavailable == "no"
    assert [f.name for f in dataclasses.fields(Spec)] == ["cls", "fixed", "fields", "unavailable"]
    assert Amount(0.0, 1.0, "MW") == Amount(0.0, 1.0, "MW", "", 5) and Choice((1,)) == Choice((1,), "")
    assert repr(Amount(0.0, 1.0, "MW")) == "Amount(lo=0.0, hi=1.0, unit='MW', why='', points=5)"
    for frozen in (s, Amount(0.0, 1.0, "MW"), Choice((1,))):
        with pytest.raises(dataclasses.FrozenInstanceError):
            frozen.why = "x"


def played(scenario: str, seed: int, quarters: int, policy: str | None = None):
    """Sessions at the start of each seat's orders over some quarters of a game."""
    s = GameSession(load_scenario(scenario), seed)
    seats = make_seats(s, {a: policy for a in s.actors} if policy else None)
    for _ in range(quarters):
        yield s
        play_turn(s, seats)


@pytest.mark.parametrize("scenario", ["baseline", "historical"])
def test_public_view_is_the_dumps_public_fields(scenario):
    for s in played(scenario, 3, 8, "random"):
        w = s.world
        for observer in s.actors:
            view = _public_view(w, observer)
            for other, fields in [*PUBLIC_FIELDS.items(), *((n, TIER2_PUBLIC) for n in w.tier2)]:
                if other == observer:
                    continue
                dump = w.actor_state(other).model_dump(mode="json")
                assert _public_part(w.actor_state(other), fields) == {f: dump[f] for f in fields}
                assert list(_public_part(w.actor_state(other), fields)) == list(fields)
                bloc = observer in ("china", "huawei", "smic") and other in ("china", "huawei", "smic")
                assert view[other] == (dump if bloc else {f: dump[f] for f in fields})


def test_listings_kept_between_calls_match_fresh_ones():
    """A random seat's kinds and moves of a kind, asked twice within one instant and once
    without the session's change counter (nothing kept), agree at every decision."""
    s = GameSession(load_scenario("baseline"), 4)
    seats = make_seats(s, {a: "random" for a in s.actors})
    for _ in range(6 * len(s.actors)):
        actor = s.current_actor
        agent = s.model.by_id[actor]
        obs = s.observe(actor)
        while True:
            kinds = s.listed_kinds(actor)
            assert kinds == s.listed_kinds(actor) == agent.listed_kinds(s.world, s.model.params, s._used)
            for kind in kinds:
                assert s.moves_of_kind(actor, kind) == agent.moves_of_kind(kind, s.world, s.model.params, s._used)
            move = seats[actor].decide(obs, s.legal(actor), s.policy_rng(actor))
            assert s.submit(actor, move) is None
            if move.kind == "pass":
                break


def test_observation_dice_seed_is_the_streams_draw():
    s = GameSession(load_scenario("baseline"), 21)
    for i, actor in enumerate(s.actors):
        want = int(numpy_stream(21, POLICY, 0, i, QUARTER_DICE).integers(2**63))
        assert s.observe(actor).dice_seed == want


def test_streams_pickle_and_copy():
    import copy
    import pickle

    g = stream(6, 3, 1)
    g.random(5)
    for twin in (pickle.loads(pickle.dumps(g)), copy.deepcopy(g)):
        assert twin.bit_generator.state == g.bit_generator.state
        assert twin.random(4).tolist() == numpy_stream(6, 3, 1).random(9)[5:].tolist()
        assert twin.bit_generator.seed_seq.spawn_key == (3, 1)


def test_observations_are_what_model_construct_builds():
    from wargame.observation import Observation

    for s in played("baseline", 5, 3):
        for actor in s.actors:
            obs = s.observe(actor)
            twin = Observation.model_construct(**dict(obs))  # dict(): with the lazy parts made
            assert obs == twin and list(obs.__dict__) == list(twin.__dict__)
            assert obs.__pydantic_fields_set__ == twin.__pydantic_fields_set__
            assert obs.__pydantic_extra__ == twin.__pydantic_extra__ and obs.__pydantic_private__ == twin.__pydantic_private__
            assert obs.model_dump() == twin.model_dump() and Observation.model_validate(obs.model_dump()) == obs


# --- round two -------------------------------------------------------------------------------
@pytest.mark.parametrize("scenario", ["baseline", "historical", "hbm-squeeze", "no-controls"])
def test_specs_of_one_kind_are_the_full_lists_part(scenario):
    """An agent asked for one kind's specs builds exactly the full list's specs of that kind, in
    order, at every seat's turn of a random game; and kept answers (per change counter) agree."""
    kinds = [*mv.KINDS, "no_such_kind"]
    for s in played(scenario, 6, 10, "random"):
        w, p = s.world, s.model.params
        for actor in s.actors:
            agent = s.model.by_id[actor]
            full = agent.open_specs(w, p)
            assert agent.specs(w, p) == agent.specs(w, p, None)
            for kind in kinds:
                assert agent.specs(w, p, kind) == [x for x in agent.specs(w, p) if x.kind == kind], (actor, kind)
                assert agent.open_specs(w, p, None, kind) == [x for x in full if x.kind == kind], (actor, kind)
            token = object()
            for kind in kinds[::7]:
                assert agent.open_specs(w, p, token, kind) == [x for x in full if x.kind == kind]
            assert agent.open_specs(w, p, token) == full
            for kind in kinds[3::7]:
                assert agent.open_specs(w, p, token, kind) == [x for x in full if x.kind == kind]



def _typed(value):
    """A JSON value with the type of every number and string kept, to compare dumps exactly."""
    if isinstance(value, dict):
        return [(k, _typed(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, repr(value))


def test_move_log_entries_are_pydantics_json_dumps():
    """Every listed move of random games, and odd values pydantic would have to convert."""
    from wargame.session import move_json

    seen = set()
    for name in ("baseline", "historical"):
        for s in played(name, 7, 6, "random"):
            for actor in s.actors:
                for m in s.model.by_id[actor].legal_moves(s.world, s.model.params, set()):
                    seen.add(type(m))
                    assert _typed(move_json(m)) == _typed(m.model_dump(mode="json")), m
    assert seen >= set(mv.MOVE_CLASSES) - {mv.SetTier2Cap, mv.DecideLicence}
    odd = [mv.SetEnforcement.model_construct(actor="us", budget_usd_m=5), mv.Lobby.model_construct(actor="nvidia", usd_m=float("nan")),
           mv.Lobby.model_construct(actor="nvidia", usd_m=float("inf")), mv.SetCloudKYC.model_construct(actor="us", enabled=1),
           mv.SetThreshold.model_construct(actor="us", level=None), mv.Pass.model_construct(actor="us", extra=3),
           mv.SetEnforcement(budget_usd_m=-0.0), mv.SetEnforcement(budget_usd_m=3), mv.Pass(actor="us")]
    for m in odd:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pydantic warns of the values it converts
            assert _typed(move_json(m)) == _typed(m.model_dump(mode="json")), m
