"""The idle seat: gives no orders, so every setting stays where it was.

It is the control arm of `wargame effects`: swapping a seat's doctrine for `idle` shows what
that seat's decisions are worth downstream.
"""

from __future__ import annotations

import numpy as np

from wargame.moves import AnyMove
from wargame.observation import Observation


class IdlePolicy:
    name = "idle"

    def decide(self, obs: Observation, legal: list[AnyMove], rng: np.random.Generator) -> AnyMove:
        if hasattr(legal, "pass_move"):  # a session's LegalMoves: no need to list every move
            return legal.pass_move
        return next(m for m in legal if m.kind == "pass")
