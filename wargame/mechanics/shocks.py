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


def draw_shocks(p: Params, rng: np.random.Generator) -> dict[str, float]:
    z = rng.standard_normal(len(SHOCKS)).tolist()  # Python floats: the values float(x) gives, in one call
    # each shock's spread is its shock_sigma_<name> (read by name, so docs/tables.py lists this reader)
    return {name: math.exp(getattr(p, f"shock_sigma_{name}") * x) for name, x in zip(SHOCKS, z, strict=True)}
