"""What a resolved quarter must satisfy before the session accepts it.

The session resolves a quarter on a copy and keeps it only if the new world still fits its own
schema (no negative stocks, shares in [0, 1]), every number in it and in the quarter's record is
finite, and the chip ledgers balance. Otherwise nothing changes and the error says why, so a
mechanics bug can never leave a game that its own save file would refuse.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import ValidationError

from wargame.state import World, validated_copy

REL_TOL = 1e-6  # ledgers are sums of a few hundred floats


class ResolutionError(Exception):
    """A quarter could not be resolved; the game is as it was before the last pass."""


def _non_finite(value: Any, path: str) -> str | None:
    if isinstance(value, dict):
        isfinite = math.isfinite
        for k, v in value.items():
            if type(v) is float:  # most of a record: checked here, without a call and a path per number
                if not isfinite(v):
                    return f"{path}.{k} = {v}"
                continue
            bad = _non_finite(v, f"{path}.{k}")
            if bad:
                return bad
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            bad = _non_finite(v, f"{path}[{i}]")
            if bad:
                return bad
    elif isinstance(value, float) and not math.isfinite(value):
        return f"{path} = {value}"
    return None


def _balanced(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-6)


def ledger_problems(world: World, initial: World) -> list[str]:
    """Dies, Huawei's chips and Nvidia's China-only chips are conserved since the start."""
    m, m0 = world.market, initial.market
    out = []
    dies_in = initial.huawei.die_bank + m.cumulative_dies_in - m0.cumulative_dies_in
    dies_out = (m.cumulative_dies_packaged - m0.cumulative_dies_packaged + world.huawei.die_bank
                + m.cumulative_dies_scrapped - m0.cumulative_dies_scrapped)
    if not _balanced(dies_in, dies_out):
        out.append(f"dies ledger: {dies_in:.6g} in != {dies_out:.6g} packaged + scrapped + banked")
    made = initial.nvidia.unsold_china_inventory_h100e + m.cumulative_china_sku_made_h100e - m0.cumulative_china_sku_made_h100e
    gone = (m.cumulative_china_sku_sold_h100e - m0.cumulative_china_sku_sold_h100e
            + m.cumulative_china_sku_resold_h100e - m0.cumulative_china_sku_resold_h100e
            + world.nvidia.unsold_china_inventory_h100e)
    if not _balanced(made, gone):
        out.append(f"Nvidia China-only ledger: {made:.6g} made != {gone:.6g} sold + resold + in stock")
    packaged, split = m.cumulative_chips_packaged, m.cumulative_chips_exported + m.cumulative_chips_home
    if not _balanced(packaged, split):
        out.append(f"Huawei chips ledger: {packaged:.6g} packaged != {split:.6g} exported + at home")
    return out


def resolution_problems(world: World, initial: World, record: dict) -> list[str]:
    """Empty if the resolved quarter may stand; else one line per problem (first few only)."""
    try:
        validated_copy(world)
    except ValidationError as exc:
        return [f"world.{'.'.join(map(str, e['loc']))}: {e['msg']} (got {e.get('input')!r})"
                for e in exc.errors(include_url=False)[:3]]
    bad = _non_finite(record, "record")  # the world's own schema already refuses NaN and infinity
    if bad:
        return [f"{bad} (every number must be finite)"]
    return ledger_problems(world, initial)
