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
        if hasattr(legal, "of_kind"):  # a session's LegalMoves: build only the kind drawn (same dice)
            kinds = legal.kinds()
            if not kinds or rng.random() < self.p_pass:
                return legal.pass_move
            options = legal.of_kind(kinds[int(rng.integers(len(kinds)))])
            return options[int(rng.integers(len(options)))]
        passes = [m for m in legal if m.kind == "pass"]
        others = [m for m in legal if m.kind != "pass"]
        if not others or rng.random() < self.p_pass:
            return passes[0]
        kinds = sorted({m.kind for m in others})
        kind = kinds[int(rng.integers(len(kinds)))]
        options = [m for m in others if m.kind == kind]
        return options[int(rng.integers(len(options)))]
