"""The quarter's random shocks, drawn once and up front in a fixed order so which shocks a
quarter uses never shifts the dice of the rest: process excursions at SMIC, packaging-line
throughput, TSMC CoWoS output, demand inside and outside China, mature-node markets, and
lumpy tool orders. Each is a lognormal multiplier with median 1 and a stated spread (docs/model.md).
"""

from __future__ import annotations

import math

import numpy as np

from wargame.params import Params

SHOCKS: tuple[str, ...] = ("yield", "packaging", "cowos", "world_demand", "china_spend", "smic_mature", "asml_mature")


_SIGMAS: tuple[str, ...] = tuple(f"shock_sigma_{name}" for name in SHOCKS)  # the parameter of each shock


def draw_shocks(p: Params, rng: np.random.Generator) -> dict[str, float]:
    z = rng.standard_normal(len(SHOCKS)).tolist()  # Python floats: the values float(x) gives, in one call
    return {name: math.exp(getattr(p, sigma) * x) for name, sigma, x in zip(SHOCKS, _SIGMAS, z, strict=True)}
