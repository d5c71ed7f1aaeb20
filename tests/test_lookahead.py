"""The look-ahead bot (issue 10) and the belief worlds it imagines with.

The bot plays legal orders for a whole game, is the same game under the same seed whatever
other seats do with their dice, sees only its observation (a world with different hidden
numbers but the same observation gets the same choice), and never imagines more quarters than
its budget. A belief world is built from an observation alone and always plays on.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from conftest import SCENARIO_NAMES, new_session, scenario

from policies.doctrine import Dice, doctrine_for
from policies.lookahead import LookaheadPolicy
from policies.registry import make_policy
from wargame.belief import belief_world
from wargame.observation import PUBLIC_FIELDS, TIER2_PUBLIC
from wargame.runner import make_seats, play, play_phase, play_turn
from wargame.session import GameSession


def _decisions(session: GameSession, policies: dict, actor: str, turns: int | None = None) -> list[int]:
    """Play on, returning the bot's imagined quarters for each of its decisions."""
    costs = []
    end = session.scenario.turns if turns is None else session.world.turn + turns
    while not session.is_over and session.world.turn < end:
        who = session.current_actor
        play_phase(session, who, policies[who])  # raises PolicyError on any refused order
        if who == actor:
            costs.append(policies[actor].last_cost)
    return costs


SLOW = bool(os.environ.get("WARGAME_SLOW"))


def _every_seat_of_every_scenario() -> list[tuple[str, str]]:
    """(scenario, actor) pairs: all of them with WARGAME_SLOW=1; otherwise every actor on the
    baseline and two actors (rotating) on each other scenario, a representative sample."""
    pairs = []
    for i, name in enumerate(SCENARIO_NAMES):
        actors = scenario(name).actors
        if SLOW or name == "baseline":
            pairs += [(name, a) for a in actors]
        else:
            pairs += [(name, actors[(2 * i) % len(actors)]), (name, actors[(2 * i + 1) % len(actors)])]
    return pairs


@pytest.mark.parametrize("name, actor", _every_seat_of_every_scenario())
def test_every_seat_plays_lookahead_legally_on_every_scenario(name, actor):
    """A few quarters from the start and from the last quarters (whole games: WARGAME_SLOW=1)."""
    s, policies = new_session(name, seed=5, seats={actor: "lookahead"})
    costs = _decisions(s, policies, actor, None if SLOW else 2)
    play(s, make_seats(s, {actor: "default"}), max(0, s.scenario.turns - s.world.turn - 2))
    policies = make_seats(s, {actor: "lookahead"})
    costs += _decisions(s, policies, actor)
    assert s.is_over and costs and all(0 <= c <= policies[actor].max_quarters for c in costs)


@pytest.mark.parametrize("actor", ["us", "nvidia"])
def test_plays_a_whole_game_legally_within_its_budget(actor):
    s, policies = new_session("baseline", seed=3, seats={actor: "lookahead"})
    bot = policies[actor]
    assert isinstance(bot, LookaheadPolicy) and bot.name == "lookahead"
    costs = _decisions(s, policies, actor)
    assert s.is_over and len(costs) == s.scenario.turns
    assert all(0 <= c <= bot.max_quarters for c in costs), costs
    assert sum(c > 0 for c in costs) >= len(costs) - 2  # it does imagine (the last quarters have little room)


def test_tampered_hidden_state_same_choice():
    """An observation rebuilt after changing hidden numbers of the world is the same observation,
    and a fresh bot given it chooses the same plan, with the same imagined scores."""
    s, policies = new_session("baseline", seed=5)
    play(s, policies, 6)
    actor = "nvidia"
    for who in s.actors[:s.actors.index(actor)]:
        play_phase(s, who, policies[who])
    context = {"scenario": s.scenario, "seats": dict(s.seats)}

    def choose() -> tuple:
        obs = s.observe(actor)
        bot = make_policy("lookahead", actor, context)
        first = bot.decide(obs, s.legal(actor), s.policy_rng(actor))
        return obs, first, bot.plan(obs, Dice(obs.dice_seed)), bot.last_scores

    before = choose()
    w = s.world
    w.huawei.die_bank *= 0.3
    w.huawei.hbm_stock *= 2.0
    w.smic.ai_yield = min(1.0, w.smic.ai_yield * 1.5)
    w.smugglers.capital_usd_b += 5.0
    w.china.directive_huawei_share = 0.55
    w.us.pressure_korea = 0.9
    w.market.cxmt_hbm_stacks *= 3.0
    after = choose()
    assert after[0] == before[0]  # the tampered fields are hidden from Nvidia
    assert after[1:] == before[1:]
    assert len(before[3]) >= 2  # it did compare candidates


def test_belief_world_reads_the_observation_only():
    s, policies = new_session("baseline", seed=2)
    play(s, policies, 9)
    for actor in ("us", "huawei", "uae", "smugglers"):
        obs = s.observe(actor)
        believed = belief_world(s.scenario, obs, np.random.default_rng(7))
        saved = s.world.model_copy(deep=True)
        hidden = s.world
        hidden.market.china_price_index_usd *= 1.7
        hidden.nvidia.unsold_china_inventory_h100e += 12345.0
        if actor != "smugglers":
            hidden.smugglers.routes = {hub: 2 * v for hub, v in hidden.smugglers.routes.items()}
        if actor != "us":
            hidden.us.intel_effort = "low"
        tampered_obs = s.observe(actor)
        assert tampered_obs == obs
        assert belief_world(s.scenario, tampered_obs, np.random.default_rng(7)) == believed
        s.model.world = saved
        # what the seat sees is believed exactly
        assert believed.actor_state(actor) == s.world.actor_state(actor)
        for other, fields in PUBLIC_FIELDS.items():
            for f in fields:
                assert getattr(believed.actor_state(other), f) == getattr(s.world.actor_state(other), f), (actor, other, f)
        for nation in s.scenario.tier2:
            for f in TIER2_PUBLIC:
                assert getattr(believed.tier2[nation], f) == getattr(s.world.tier2[nation], f)
        assert (believed.turn, believed.quarter_index) == (s.world.turn, s.world.quarter_index)


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_belief_worlds_always_play_on(name):
    """From every seat's observation at its own phase, early, midway and in the last quarter, a
    belief world plays on (the session's own checks included) without an exception."""
    sc = scenario(name)
    s, policies = new_session(name, seed=11)
    checkpoints = {0, sc.turns // 2, sc.turns - 1}
    while not s.is_over:
        if s.world.turn not in checkpoints:
            play_turn(s, policies)
            continue
        for i, actor in enumerate(s.actors):
            obs = s.observe(actor)
            world = belief_world(sc, obs, np.random.default_rng(i))
            sim = GameSession(sc, 100 + i, _world=world)
            play(sim, make_seats(sim), 2)
            assert len(sim.timeline) == min(2, sc.turns - s.world.turn)
            play_phase(s, actor, policies[actor])


def test_same_seed_same_game_whatever_other_dice_were_drawn():
    class Roller:
        """Another seat's policy that rolls its own dice before deciding."""

        def __init__(self, inner):
            self.inner, self.name = inner, inner.name

        def decide(self, obs, legal, rng):
            rng.random(3)
            return self.inner.decide(obs, legal, rng)

    def game(roll: bool) -> GameSession:
        s, policies = new_session("baseline", seed=9, seats={"china": "lookahead"})
        if roll:
            policies = {a: p if a == "china" else Roller(p) for a, p in policies.items()}
        play(s, policies, 5)
        return s

    a, b, c = game(False), game(False), game(True)
    assert a.state_hash() == b.state_hash() == c.state_hash()
    assert a.snapshot_hash() == b.snapshot_hash() == c.snapshot_hash()
    assert a.moves == c.moves


def test_never_touches_the_dice_it_is_handed():
    class NoDice:
        def __getattr__(self, name):
            raise AssertionError(f"the look-ahead bot used its rng ({name})")

    s, policies = new_session("baseline", seed=4)
    play(s, policies, 3)
    bot = make_policy("lookahead", "us", {"scenario": s.scenario, "seats": dict(s.seats)})
    move = bot.decide(s.observe("us"), s.legal("us"), NoDice())
    assert s.submit("us", move) is None


def test_no_budget_is_the_default_doctrine():
    """With no room to imagine, the bot gives its default doctrine's orders: the same game."""
    s, policies = new_session("baseline", seed=6)
    play(s, policies, 4)
    t, policies = new_session("baseline", seed=6, seats={"huawei": "lookahead"})
    policies["huawei"] = LookaheadPolicy("huawei", t.scenario, dict(t.seats), budget_ms=0)
    costs = _decisions(t, policies, "huawei", 4)
    assert costs == [0, 0, 0, 0]
    assert t.state_hash() == s.state_hash()


def test_candidates_and_budget():
    s, _ = new_session("baseline", seed=1)
    bot = make_policy("lookahead", "us", {"scenario": s.scenario, "seats": dict(s.seats)})
    obs = s.observe("us")
    cands = bot.candidates(obs, obs.dice_seed)
    names = [n for n, _ in cands]
    assert names[0] == "default" and len(names) == len(set(names)) and [] in [p for _, p in cands]
    assert cands[0][1] == doctrine_for("us").plan(obs, Dice(obs.dice_seed))
    plans = [tuple(m.model_dump_json() for m in p) for _, p in cands]
    assert len(plans) == len(set(plans))  # no plan evaluated twice
    k, samples, quarters = bot.affordable(obs, len(cands))
    assert 2 <= k and k * samples * quarters <= bot.max_quarters
    assert LookaheadPolicy.subset(list(range(6)), 3, 0)[0] == 0
    seen = {c for turn in range(6) for c in LookaheadPolicy.subset(list(range(6)), 3, turn)}
    assert seen == set(range(6))  # each candidate gets its turn as the quarters go by
    assert LookaheadPolicy("us", s.scenario, {"us": "lookahead", "china": "human"})._sim_policies(s.actors)["china"].name == "doctrine"
    with pytest.raises(ValueError, match="scenario"):
        make_policy("lookahead", "us")
