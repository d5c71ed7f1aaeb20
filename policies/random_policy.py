"""Random legal play: the conformance suite's fuzzer and a baseline opponent."""

from __future__ import annotations

import numpy as np

from wargame.moves import AnyMove
from wargame.observation import Observation


class RandomPolicy:
    """Passes with probability `p_pass`, else picks a kind uniformly, then one of its moves."""

    name = "random"

    def __init__(self, p_pass: float = 0.35):
        self.p_pass = p_pass

    def decide(self, obs: Observation, legal: list[AnyMove], rng: np.random.Generator) -> AnyMove:
        passes = [m for m in legal if m.kind == "pass"]
        others = [m for m in legal if m.kind != "pass"]
        if not others or rng.random() < self.p_pass:
            return passes[0]
        kinds = sorted({m.kind for m in others})
        kind = kinds[int(rng.integers(len(kinds)))]
        options = [m for m in others if m.kind == kind]
        return options[int(rng.integers(len(options)))]
