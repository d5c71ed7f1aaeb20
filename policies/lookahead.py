"""The look-ahead bot: tries its candidate plans on imagined copies of the game and keeps the best.

Once a quarter the seat lists candidate plans (its default doctrine's, each library doctrine's
for its kind of actor, and giving no orders), builds a few worlds as it believes them to be
(wargame/belief.py: from its observation and the public scenario, never the true hidden state),
and for each plan and each belief world plays the rest of the quarter and `horizon` more
quarters: the seats before it repeat their public moves of this quarter, it gives the plan's
orders, every other seat is played by the policy the table knows it has, and from the next
quarter on its own seat follows its default doctrine (a one-step rollout over the default, so
the bot never does worse than the default in its own imagination). The plan with the best
average `score_<actor>` over the imagined quarters wins; on a tie the earlier candidate, so the
default stands unless something beats it. Then it gives the winner's orders, clamped to the
legal bounds, as a doctrine does.

Determinism comes first: the budget is a fixed number of imagined quarters (what `budget_ms`
buys at the measured cost of one on a 2-core machine), never a clock, so a game does not depend
on how busy the machine is. Every draw comes from the seat's per-quarter dice seed, so a game
is the same under the same seed and the bot never touches the dice handed to it.
"""

from __future__ import annotations

import math

import numpy as np

from policies.doctrine import Dice, Doctrine, doctrine_for
from wargame.belief import belief_world
from wargame.moves import AnyMove, Pass, parse_move
from wargame.observation import Observation
from wargame.scenario import Scenario
from wargame.state import World

# What one imagined quarter costs (resolution plus every seat's decisions), in ms: measured on
# the 2-core machine of benchmarks/lookahead_budget.py (2-3 ms when it is quiet; the margin covers session
# set-up, belief worlds and slower quarters late in a game).
MS_PER_SIM_QUARTER = 3.5
STAND_INS = ("lookahead", "human")  # seats simulated by their default doctrine (no recursion, no person)
TIE = 1e-9  # a candidate must beat an earlier one by more than this to replace it
_SALT = 0x10CA  # keys the bot's own draws apart from anything else derived from the dice seed


class LookaheadPolicy(Doctrine):
    name = "lookahead"

    def __init__(self, actor: str, scenario: Scenario | None = None, seats: dict[str, str] | None = None,
                 horizon: int = 2, samples: int = 2, budget_ms: float = 100.0):
        if scenario is None:
            raise ValueError("the lookahead policy simulates the game: build it with the scenario "
                             "(policies.registry.make_policy('lookahead', actor, {'scenario': ..., 'seats': ...}))")
        super().__init__(self._best_plan)
        self.actor, self.scenario = actor, scenario
        self.seats = dict(seats or {})
        self.horizon, self.samples, self.budget_ms = int(horizon), int(samples), float(budget_ms)
        self.max_quarters = int(self.budget_ms // MS_PER_SIM_QUARTER)
        self.last_cost = 0  # imagined quarters spent on the latest decision
        self.last_scores: dict[str, float] = {}  # candidate -> mean imagined score (the ones evaluated)
        self.last_choice = "default"

    # -- candidates --------------------------------------------------------------------------
    def candidates(self, obs: Observation, dice_seed: int) -> list[tuple[str, list[AnyMove]]]:
        """Named plans for this quarter, duplicates dropped (the first name kept): the default
        doctrine's, each library doctrine's for this actor (those that plan, by name), none."""
        from policies.registry import GENERIC, make_policy, policy_names

        plans = [("default", doctrine_for(self.actor).plan(obs, Dice(dice_seed)))]
        for name in sorted(n for n in policy_names(self.actor) if n not in GENERIC):
            plan = getattr(make_policy(name, self.actor), "plan", None)
            if callable(plan):
                plans.append((name, list(plan(obs, Dice(dice_seed)))))
        plans.append(("idle", []))
        out, seen = [], set()
        for name, plan in plans:
            key = tuple(m.model_dump_json() for m in plan)
            if key not in seen:
                seen.add(key)
                out.append((name, plan))
        return out

    def affordable(self, obs: Observation, n_candidates: int) -> tuple[int, int, int]:
        """(candidates, samples, quarters per rollout) the budget pays for this quarter."""
        quarters = max(1, min(1 + self.horizon, self.scenario.turns - (obs.turn - 1)))
        samples = min(self.samples, self.max_quarters // (2 * quarters))
        if samples < 1 or n_candidates < 2:
            return 1, 0, quarters
        return min(n_candidates, self.max_quarters // (samples * quarters)), samples, quarters

    @staticmethod
    def subset(cands: list, k: int, turn: int) -> list:
        """The default plus k-1 others, rotating with the quarter so every candidate gets its turn."""
        rest = cands[1:]
        if k >= len(cands):
            return cands
        start = (turn * (k - 1)) % len(rest)
        picked = set((start + i) % len(rest) for i in range(k - 1))
        return [cands[0]] + [c for i, c in enumerate(rest) if i in picked]

    # -- choosing ----------------------------------------------------------------------------
    def _best_plan(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        seed = int(obs.dice_seed)
        cands = self.candidates(obs, seed)
        k, samples, _ = self.affordable(obs, len(cands))
        cands = self.subset(cands, k, obs.turn)
        self.last_cost, self.last_scores, self.last_choice = 0, {}, cands[0][0]
        if samples == 0 or len(cands) < 2:
            return cands[0][1]
        totals = [0.0] * len(cands)
        for s in range(samples):
            # one belief world and one set of future dice per sample, shared by every candidate
            # (common random numbers: the candidates differ only in their orders)
            ss = np.random.SeedSequence([seed, _SALT, s])
            world = belief_world(self.scenario, obs, np.random.default_rng(ss))
            sim_seed = int(ss.generate_state(2, np.uint64)[1] >> np.uint64(1))
            for i, (_, plan) in enumerate(cands):
                scores = self.rollout(world, sim_seed, obs, plan)
                self.last_cost += len(scores)
                totals[i] += math.fsum(scores) / len(scores)
        means = [t / samples for t in totals]
        self.last_scores = {name: means[i] for i, (name, _) in enumerate(cands)}
        best = 0
        for i in range(1, len(cands)):
            if means[i] > means[best] + TIE:
                best = i
        self.last_choice = cands[best][0]
        return cands[best][1]

    def _sim_policies(self, actors: tuple[str, ...]) -> dict:
        """Fresh policies for an imagined game: the seats' known policies, and the default doctrine
        for this seat after its first quarter and for seats no bot can stand in for."""
        from policies.registry import make_policy

        out = {}
        for actor in actors:
            name = self.seats.get(actor, "default")
            out[actor] = make_policy("default" if actor == self.actor or name in STAND_INS else name, actor)
        return out

    def rollout(self, world: World, seed: int, obs: Observation, plan: list[AnyMove]) -> list[float]:
        """This seat's score in each imagined quarter: from its phase of the current quarter with
        `plan` as its orders, through `horizon` more quarters."""
        from wargame.runner import play_turn
        from wargame.session import GameSession

        sim = GameSession(self.scenario, seed, seats={}, _world=World.model_validate(world.model_dump()))
        turn, me = sim.world.turn, self.actor
        earlier: dict[str, list[AnyMove]] = {}
        for entry in obs.moves_this_turn:  # the seats before this one: their public orders, once more
            earlier.setdefault(entry["actor"], []).append(parse_move(entry["move"]))
        for actor in sim.actors[:sim.actors.index(me)]:
            self._give(sim, actor, earlier.get(actor, []))
        self._give(sim, me, plan)
        policies = self._sim_policies(sim.actors)
        if sim.world.turn == turn:  # the seats after this one finish the quarter
            play_turn(sim, policies)
        for _ in range(self.horizon):
            if sim.is_over:
                break
            play_turn(sim, policies)
        return [r[f"score_{me}"] for r in sim.timeline]

    @staticmethod
    def _give(sim, actor: str, moves: list[AnyMove]) -> None:
        """Submit what of `moves` fits the imagined world's bounds, then pass."""
        for move in moves:
            fitted = sim.fit(actor, move)
            if fitted is not None and not isinstance(fitted, Pass):
                sim.submit(actor, fitted)
        sim.submit(actor, Pass(actor=actor))
