"""Chip performance in H100-equivalents, and the calendar-driven shares that weight it.

One H100e is the delivered work of one H100. A chip has a training and an inference figure;
its H100e this quarter is their mix weighted by the inference share of demand (C4).
"""

from __future__ import annotations

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


def threshold_rank(level: str) -> int:
    return THRESHOLDS.index(level)


def dies_per_package(p: Params, generation: str) -> float:
    return p.dies_per_package_910B if generation == "910B" else p.dies_per_package_later
