"""Seed + moves determine the game: reruns, save/load, pickling and replay are all exact.

* the same seed gives a byte-identical timeline, state hash and snapshot; other seeds differ;
* the world's dice do not depend on who sits in a seat (separate random streams);
* a game saved at turn k (1, 2, 4, 8, 16) or mid-quarter, loaded and continued, ends exactly
  where the original (and a straight run) ends; so does a pickled copy;
* `GameSession.replay(scenario, seed, moves)` rebuilds a finished or a half-played game.
"""

from __future__ import annotations

import json
import pickle

import pytest
from conftest import all_seats, finished_game, into_a_quarter, mixed_seats, new_session, scenario
from pydantic import ValidationError

import wargame.model
from wargame.runner import make_seats, play
from wargame.scenario import Effect, Event
from wargame.session import GameSession
from wargame.state import canonical_json

SAVE_TURNS = (1, 2, 4, 8, 16)


def fingerprint(s: GameSession) -> dict:
    return {
        "state_hash": s.state_hash(),
        "snapshot_hash": s.snapshot_hash(),
        "timeline": canonical_json(s.timeline),
        "moves": canonical_json(s.moves),
        "turn": s.world.turn,
        "current": s.current_actor,
    }


def continue_to_end(s: GameSession) -> GameSession:
    return play(s, make_seats(s))


# --- reruns ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seats", ["random", "mixed", "doctrine"])
def test_same_seed_same_game(scenario_name, seats):
    st = mixed_seats(scenario_name) if seats == "mixed" else all_seats(scenario_name, seats)
    a = play(*new_session(scenario_name, 21, st))
    b = play(*new_session(scenario_name, 21, st))
    assert fingerprint(a) == fingerprint(b)
    assert json.dumps(a.snapshot(), sort_keys=True) == json.dumps(b.snapshot(), sort_keys=True)


def test_different_seeds_differ(scenario_name):
    hashes = {finished_game(scenario_name, seed).state_hash() for seed in (0, 1, 2)}
    assert len(hashes) == 3
    timelines = {canonical_json(finished_game(scenario_name, seed).timeline) for seed in (0, 1, 2)}
    assert len(timelines) == 3


def test_state_hash_tracks_the_world(scenario_name):
    """The hash is a function of the world: it moves when one number moves, and back again."""
    s, _ = new_session(scenario_name, 0)
    h = s.state_hash()
    s.world.us.hawkishness = min(1.0, s.world.us.hawkishness + 1e-12) if s.world.us.hawkishness < 1 else 0.5
    assert s.state_hash() != h


def test_seating_does_not_shift_the_worlds_dice(scenario_name, monkeypatch):
    """One Tier-2 seat random instead of doctrine: the adjudicator's generator enters every
    quarter in the same state, and the same injects fire in the same quarters."""
    entries: list[list] = []
    real = wargame.model.adjudicate

    def spy(world, p, rng, actors):
        entries[-1].append(json.dumps(rng.bit_generator.state, sort_keys=True, default=str))
        return real(world, p, rng, actors)

    monkeypatch.setattr(wargame.model, "adjudicate", spy)
    sc = scenario(scenario_name)
    nation = sc.tier2[0]
    fired = []
    for policy in ("doctrine", "random"):
        entries.append([])
        s, pol = new_session(scenario_name, 5, {**all_seats(scenario_name, "doctrine"), nation: policy})
        per_turn = []
        while not s.is_over:
            play(s, pol, 1)
            per_turn.append(list(s.world.events_fired))
        fired.append(per_turn)
    assert len(entries[0]) == sc.turns
    assert entries[0] == entries[1]
    assert fired[0] == fired[1]


def test_policy_dice_are_per_seat_and_quarter(scenario_name):
    s, _ = new_session(scenario_name, 9)
    a, b = s.policy_rng(s.actors[0]).random(3), s.policy_rng(s.actors[0]).random(3)
    assert list(a) == list(b)  # a fresh generator each time: a reload continues on the same dice
    assert list(a) != list(s.policy_rng(s.actors[1]).random(3))


# --- save / load -------------------------------------------------------------------------------


@pytest.mark.parametrize("k", SAVE_TURNS)
def test_save_load_round_trip(scenario_name, k, tmp_path):
    sc = scenario(scenario_name)
    if k >= sc.turns:
        pytest.skip(f"{scenario_name} has only {sc.turns} turns")
    seats = mixed_seats(scenario_name)
    original, pol = new_session(scenario_name, 13, seats)
    play(original, pol, k)
    assert original.world.turn == k
    path = tmp_path / "game.json"
    original.save(path)
    loaded = GameSession.load(path)
    assert fingerprint(loaded) == fingerprint(original)
    assert loaded.seats == seats
    assert loaded.scenario == original.scenario
    # saving the loaded game again writes the same bytes
    again = tmp_path / "again.json"
    loaded.save(again)
    assert again.read_bytes() == path.read_bytes()
    continue_to_end(original)
    continue_to_end(loaded)
    assert loaded.is_over and original.is_over
    assert fingerprint(loaded) == fingerprint(original)
    # and the break changed nothing: a straight run with the same seats ends in the same place
    straight = play(*new_session(scenario_name, 13, seats))
    assert fingerprint(straight) == fingerprint(original)


def _into_a_quarter(name: str, seed: int, turns: int, phases: int, orders: int):
    return into_a_quarter(name, seed, mixed_seats(name), turns, phases, orders, pick=lambda i, n: (7 * i) % n)


@pytest.mark.parametrize("phases,orders", [(3, 0), (4, 2), (0, 1)])
def test_mid_quarter_save_round_trips(scenario_name, phases, orders, tmp_path):
    original = _into_a_quarter(scenario_name, 17, 3, phases, orders)
    actor = original.current_actor
    path = tmp_path / "mid.json"
    original.save(path)
    loaded = GameSession.load(path)
    assert fingerprint(loaded) == fingerprint(original)
    assert loaded.current_actor == actor
    assert loaded.legal_moves(actor) == original.legal_moves(actor)  # orders already given stay used
    later = loaded.actors[-1]
    assert loaded.observe(later) == original.observe(later)  # public moves of this quarter survive
    assert loaded.observe(actor) == original.observe(actor)
    continue_to_end(original)
    continue_to_end(loaded)
    assert fingerprint(loaded) == fingerprint(original)


def test_finished_game_round_trips(scenario_name, tmp_path):
    original = finished_game(scenario_name, 1)
    original.save(tmp_path / "end.json")
    loaded = GameSession.load(tmp_path / "end.json")
    assert loaded.is_over
    assert fingerprint(loaded) == fingerprint(original)
    assert list(loaded.model.datacollector.get_model_vars_dataframe().columns) == \
        list(original.model.datacollector.get_model_vars_dataframe().columns)
    assert len(loaded.model.datacollector.get_model_vars_dataframe()) == scenario(scenario_name).turns


def test_pickled_session_continues_identically(scenario_name):
    original = _into_a_quarter(scenario_name, 19, 5, 2, 1)
    copy = pickle.loads(pickle.dumps(original))
    assert fingerprint(copy) == fingerprint(original)
    continue_to_end(original)
    continue_to_end(copy)
    assert fingerprint(copy) == fingerprint(original)


# --- replay --------------------------------------------------------------------------------------


def test_replay_a_finished_game(scenario_name):
    original = finished_game(scenario_name, 2, mixed_seats(scenario_name))
    replayed = GameSession.replay(original.scenario, original.seed, original.moves)
    assert replayed.is_over
    assert fingerprint(replayed) == fingerprint(original)


@pytest.mark.parametrize("turns,phases,orders", [(4, 0, 0), (6, 5, 2)])
def test_replay_a_game_in_progress(scenario_name, turns, phases, orders):
    original = _into_a_quarter(scenario_name, 23, turns, phases, orders)
    replayed = GameSession.replay(original.scenario, original.seed, original.moves)
    assert fingerprint(replayed) == fingerprint(original)


def test_replay_of_a_different_seed_diverges(scenario_name):
    """Idle seats only pass, so their log is legal under any seed and must replay to a new world."""
    original = finished_game(scenario_name, 2, all_seats(scenario_name, "idle"))
    other = GameSession.replay(original.scenario, original.seed + 1, original.moves)
    assert other.is_over
    assert other.state_hash() != original.state_hash()


def test_replay_reports_a_tampered_log(scenario_name):
    original = finished_game(scenario_name, 0)
    moves = [dict(e) for e in original.moves]
    moves[0] = {**moves[0], "move": {"kind": "set_enforcement", "actor": "us", "budget_usd_m": -1.0}}
    with pytest.raises(ValueError, match="move log entry 0"):
        GameSession.replay(original.scenario, original.seed, moves)


# --- facilitator injects ---------------------------------------------------------------------------


def test_injects_are_logged_and_replayed(scenario_name, tmp_path):
    s, pol = new_session(scenario_name, 8, mixed_seats(scenario_name))
    play(s, pol, 2)
    ev = Event(id="FAC1", quarter=s.quarter, description="Facilitator: Washington panics.",
               effects=[Effect(target="us.hawkishness", value=0.95)])
    s.inject(ev)
    assert s.world.us.hawkishness == 0.95 and "FAC1" in s.world.events_fired
    assert any("Washington panics" in n for n in s.world.news)
    play(s, make_seats(s, all_seats(scenario_name, "idle")), 3)  # passes only: legal with or without the inject
    replayed = GameSession.replay(s.scenario, s.seed, s.moves)
    assert fingerprint(replayed) == fingerprint(s)
    s.save(tmp_path / "inject.json")
    loaded = GameSession.load(tmp_path / "inject.json")
    continue_to_end(s)
    continue_to_end(loaded)
    assert fingerprint(loaded) == fingerprint(s)
    # without the inject the game goes elsewhere
    plain = [e for e in s.moves if "inject" not in e]
    other = GameSession.replay(s.scenario, s.seed, plain)
    assert other.world.turn == s.world.turn
    assert other.state_hash() != s.state_hash()


def test_a_bad_inject_changes_nothing(scenario_name):
    s, pol = new_session(scenario_name, 8)
    play(s, pol, 1)
    before = fingerprint(s)
    bad_path = Event(id="FAC2", quarter=s.quarter, description="x",
                     effects=[Effect(target="us.hawkishness", value=0.1), Effect(target="us.warp_drive", value=1)])
    with pytest.raises(KeyError):
        s.inject(bad_path)
    bad_value = Event(id="FAC3", quarter=s.quarter, description="x",
                      effects=[Effect(target="us.hawkishness", value=0.1), Effect(target="us.hawkishness", value=3.0)])
    with pytest.raises(ValidationError):
        s.inject(bad_value)
    clock = Event(id="FAC4", quarter=s.quarter, description="x", effects=[Effect(target="turn", value=0)])
    with pytest.raises(KeyError, match="turn"):
        s.inject(clock)
    free_dies = Event(id="FAC5", quarter=s.quarter, description="x",
                      effects=[Effect(target="huawei.die_bank", op="add", value=1e5)])
    with pytest.raises(ValueError, match="dies ledger"):
        s.inject(free_dies)
    assert fingerprint(s) == before


def test_random_play_fixture_is_seeded(scenario_names, make_session, play_random, copy_session):
    for name in scenario_names:
        a, _ = make_session(name, 4)
        b = copy_session(a)
        assert play_random(a, 3).state_hash() == play_random(b, 3).state_hash()
        assert set(a.seats.values()) == {"random"} and a.world.turn == 3


def test_reseed_keys_every_later_draw(scenario_name):
    """A game reseeded before its first order plays exactly like a game started with that seed:
    adjudication, events, observations and seats' dice all follow the new seed."""
    fresh = {seed: new_session(scenario_name, seed, mixed_seats(scenario_name)) for seed in range(2, 12)}
    a = 1
    s, pol = new_session(scenario_name, a, mixed_seats(scenario_name))
    b = next(k for k, (t, _) in fresh.items() if t.state_hash() == s.state_hash())  # same injects at the start
    s.reseed(b)
    other, other_pol = fresh[b]
    play(s, pol)
    play(other, other_pol)
    assert s.state_hash() == other.state_hash() and s.timeline == other.timeline
