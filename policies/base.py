"""The Policy protocol: who decides a seat's orders, a bot or a person.

A policy is asked repeatedly within one quarter; each call returns one move from (or within
the bounds of) the legal list, and `pass` ends the seat's orders. Its only dice are the
`rng` handed in, so a seeded game is reproducible whatever the policy.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from wargame.moves import AnyMove
from wargame.observation import Observation


class Policy(Protocol):
    name: str

    def decide(self, obs: Observation, legal: list[AnyMove], rng: np.random.Generator) -> AnyMove: ...
