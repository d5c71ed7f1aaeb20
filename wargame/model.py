"""The Mesa model: one agent per actor built from the scenario, the World, and the DataCollector.

`step()` adjudicates one quarter once every seat has given its orders (the session makes sure
of that). Randomness: every stream is a child of `SeedSequence(seed)` keyed by purpose and
turn, so a bot's extra draw never shifts the world's dice and a reloaded game continues on
exactly the same dice.
"""

from __future__ import annotations

import mesa
import numpy as np

from agents import ActorAgent, agent_class
from wargame.adjudication import adjudicate
from wargame.metrics import CONTRACT_KEYS, EXTRA_KEYS
from wargame.scenario import Scenario
from wargame.state import World

ADJUDICATION, OBSERVATION, POLICY, MESA, EVENTS, PARAMS = 0, 1, 2, 3, 4, 5


class _Latest:
    """A picklable reporter: the latest record's value of one metric."""

    def __init__(self, model: WargameModel, key: str):
        self.model, self.key = model, key

    def __call__(self) -> float:
        return self.model.records[-1][self.key]


class RecordCollector(mesa.DataCollector):
    """Mesa's DataCollector, filled straight from each quarter's record: the values are plain
    numbers and strings, so the deep copy Mesa makes of every reporter's value buys nothing."""

    def collect(self, model: WargameModel) -> None:
        record = model.records[-1]
        for key, values in self.model_vars.items():
            values.append(record[key])


def stream(seed: int, *key: int) -> np.random.Generator:
    """A generator for one purpose: the child of SeedSequence(seed) at spawn key `key`."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


class WargameModel(mesa.Model):
    def __init__(self, scenario: Scenario, seed: int, world: World | None = None,
                 param_overrides: dict[str, float] | None = None):
        super().__init__(rng=stream(seed, MESA))
        self.scenario = scenario
        self.seed = seed
        self.params = scenario.params(param_overrides)
        self.world: World = world if world is not None else scenario.start_world()
        self.actors: tuple[str, ...] = scenario.actors
        self.by_id: dict[str, ActorAgent] = {a: agent_class(a)(self, a) for a in self.actors}
        # Mesa 3.3 keeps a class-level id counter per model (mesa.Agent._ids, Mesa issue 3179), which
        # holds every model ever built alive; all our agents exist by now, so drop this model's entry.
        mesa.Agent._ids.pop(self, None)
        self.records: list[dict] = []
        self.flows: dict = {}
        keys = list(CONTRACT_KEYS) + list(EXTRA_KEYS)
        keys += [f"tier2_alignment_{n}" for n in scenario.tier2] + [f"score_{a}" for a in self.actors]
        self.metric_keys = tuple(keys)
        self.datacollector = RecordCollector(model_reporters={k: _Latest(self, k) for k in self.metric_keys})

    def step(self) -> None:
        """Adjudicate the quarter; the record is an immutable dict of plain numbers."""
        rng = stream(self.seed, ADJUDICATION, self.world.turn)
        self.world, record, self.flows = adjudicate(self.world, self.params, rng, self.actors)
        self.records.append(record)
        self.datacollector.collect(self)

    def restore_history(self, records: list[dict], flows: dict) -> None:
        """Refill the collector from saved records (after loading a game)."""
        for record in records:
            self.records.append(record)
            self.datacollector.collect(self)
        self.flows = flows
