"""Chip performance in H100-equivalents, prices and power per H100e, and the shares that weight them.

One H100e is the delivered work of one H100. A chip has a training and an inference figure;
its H100e this quarter is their mix weighted by the inference share of demand (C4). The
flagship's price and power per H100e fall as generations improve (P1, P3), which is what makes
an older China-only chip worth less every year it stays on sale.
"""

from __future__ import annotations

import functools

from wargame.params import Params
from wargame.state import HUAWEI_GENERATIONS, THRESHOLDS


def years_since_2025(quarter_index: int) -> float:
    return (quarter_index - 2025 * 4) / 4.0


def inference_share(p: Params, quarter_index: int) -> float:
    """C4: 0.33 in 2023, 0.5 in 2025 (linear between), then growing to a ceiling."""
    years = years_since_2025(quarter_index)
    if years < 0:
        return p.inference_share_2025 + (p.inference_share_2025 - p.inference_share_2023) * max(years, -2.0) / 2.0
    share = p.inference_share_2025 + p.inference_share_growth_per_year * years
    return min(p.inference_share_max, max(0.0, share))


def _mix(train: float, infer: float, share: float) -> float:
    return (1.0 - share) * train + share * infer


def huawei_chip_h100e(p: Params, generation: str, quarter_index: int) -> float:
    """910B and 910C from H11/P2; later generations scale by an assumed gain per generation."""
    s = inference_share(p, quarter_index)
    if generation == "910B":
        return _mix(p.perf_train_910B, p.perf_infer_910B, s)
    steps = HUAWEI_GENERATIONS.index(generation) - 1
    return _mix(p.perf_train_910C, p.perf_infer_910C, s) * p.perf_gain_per_generation**steps


def china_sku_h100e(p: Params, level: str, quarter_index: int) -> float:
    """An Nvidia China-compliant chip at a given threshold level."""
    s = inference_share(p, quarter_index)
    return _mix(getattr(p, f"perf_train_{level}"), getattr(p, f"perf_infer_{level}"), s)


def flagship_h100e(p: Params, quarter_index: int) -> float:
    """H100e of the chip Nvidia sells outside China (and smugglers carry): it improves every year."""
    return china_sku_h100e(p, "unrestricted", quarter_index) * p.flagship_perf_growth_per_year ** years_since_2025(quarter_index)


def world_price_per_h100e(p: Params, quarter_index: int) -> float:
    """The flagship's list price per H100e: falls as each generation packs more performance (P1)."""
    return p.price_per_h100e_usd * p.price_decline_per_year ** years_since_2025(quarter_index)


def sku_price_per_h100e(p: Params, level: str, quarter_index: int) -> float:
    """A China chip's list price over the H100e it delivers (P1's 2025 prices, P2/H11 performance);
    from 2025 an ageing product is marked down at the same pace as the flagship."""
    price = getattr(p, f"china_price_{level}") * p.price_decline_per_year ** max(0.0, years_since_2025(quarter_index))
    return price / china_sku_h100e(p, level, quarter_index)


def kw_per_h100e(p: Params, quarter_index: int) -> float:
    """Chip-level power per H100e of a current Nvidia part (P3): newer parts do more per watt."""
    return p.kw_per_h100e_foreign * p.power_per_h100e_decline_per_year ** years_since_2025(quarter_index)


def slowing_growth(level_2025q1: float, growth_2025: float, decay: float, quarter_index: int) -> float:
    """A level that grows by `growth_2025` a year in 2025, with the excess over 1 shrinking by
    `decay` each year after (and larger before): booms that slow. Stepped quarter by quarter.
    A pure function asked twice a quarter in every game with the same few parameter values, so
    positive levels are remembered (a zero level is not: -0.0 and 0.0 share a cache entry)."""
    if level_2025q1 > 0:
        return _slowing_growth(level_2025q1, growth_2025, decay, quarter_index)
    return _slowing_growth.__wrapped__(level_2025q1, growth_2025, decay, quarter_index)


@functools.lru_cache(maxsize=4096, typed=True)
def _slowing_growth(level_2025q1: float, growth_2025: float, decay: float, quarter_index: int) -> float:
    k = quarter_index - 2025 * 4
    level = level_2025q1
    for j in range(abs(k)):
        y = (j if k > 0 else -j - 1) / 4.0
        g = (1.0 + (growth_2025 - 1.0) * decay**y) ** 0.25
        level = level * g if k > 0 else level / g
    return level


def threshold_rank(level: str) -> int:
    return THRESHOLDS.index(level)


def dies_per_package(p: Params, generation: str) -> float:
    return p.dies_per_package_910B if generation == "910B" else p.dies_per_package_later
