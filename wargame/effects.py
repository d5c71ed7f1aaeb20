"""`wargame effects`: how much each hypothetical scenario, and each seat's decisions, move the
headline outcomes.

Every comparison pairs seeds: seed s of the variant against seed s of its base, so the world's
dice (and, with `sample_params`, the parameter draw) are shared and the difference is the
variant's doing. Per metric and year the effect is the median paired difference over the
base's median, with a bootstrap CI over seeds. A comparison is either a hypothetical scenario
against the scenario it extends, or one seat of `baseline` swapped to `idle` or `random`
against baseline with its default seats.

Games run in a forked process pool; results are collected in task order, so the output does
not depend on the number of workers.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from wargame.forkpool import fork_pool
from wargame.scenario import Scenario, builtin_names, load_scenario

YEARS = (2026, 2027, 2030)
# DESIGN §5 name -> how a year of quarterly records becomes one number
HEADLINE: dict[str, tuple[str, ...]] = {
    "china_compute_stock_h100e": ("stock", "china_compute_stock_h100e"),
    "us_china_output_ratio": ("ratio", "us_ai_chip_output_h100e", "china_ai_chip_output_h100e"),
    "huawei_output_chips": ("flow", "huawei_output_chips"),
    "smuggled_h100e": ("flow", "smuggled_h100e"),
    "nvidia_china_revenue_usd_b": ("flow", "nvidia_china_revenue_usd_b"),
}
RATIO_FLOOR = 1.0  # as wargame.metrics._ratio: one H100e, so the ratio stays finite
SEAT_SCENARIO = "baseline"
SWAPS = ("idle", "random")
BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20250101  # fixed: the same command prints the same intervals
MIN_DEFINED_SHARE = 0.95  # a CI needs the statistic defined on this share of resamples
MARK = 0.05  # |rel_change| worth flagging in the text table

Arm = tuple[str, tuple[tuple[str, str], ...]]  # scenario name, seat overrides (sorted)


@dataclass(frozen=True)
class Comparison:
    name: str
    kind: str  # "scenario" | "seat"
    base: str
    variant: str
    base_arm: Arm
    variant_arm: Arm


# --- which comparisons ---------------------------------------------------------------------------
@functools.cache
def _scenario(name: str) -> Scenario:
    return load_scenario(name)


def _arm(scenario: str, overrides: dict[str, str]) -> Arm:
    """Overrides that only restate a default seat are dropped, so equal games share one arm."""
    defaults = _scenario(scenario).seats
    return scenario, tuple(sorted((a, p) for a, p in overrides.items() if defaults.get(a, "doctrine") != p))


def comparisons() -> list[Comparison]:
    """Hypothetical built-ins against what they extend, then every baseline seat x SWAPS."""
    out = []
    for name in builtin_names():
        sc = _scenario(name)
        if sc.hypothetical and sc.extends is not None:
            out.append(Comparison(name, "scenario", sc.extends, name, _arm(sc.extends, {}), _arm(name, {})))
    for actor in _scenario(SEAT_SCENARIO).actors:
        for policy in SWAPS:
            label = f"{actor}={policy}"
            out.append(Comparison(label, "seat", SEAT_SCENARIO, label, _arm(SEAT_SCENARIO, {}),
                                  _arm(SEAT_SCENARIO, {actor: policy})))
    return out


# --- one game ------------------------------------------------------------------------------------
def year_values(records: Iterable[dict]) -> dict[str, dict[int, float]]:
    """Headline metrics per year: a stock at the year's Q4, a flow summed over its quarters,
    a ratio of two such sums (denominator floored at RATIO_FLOOR). A year without all four
    quarters is left out."""
    by_year: dict[int, list[dict]] = {}
    for r in records:
        by_year.setdefault(int(str(r["quarter"])[:4]), []).append(r)
    out: dict[str, dict[int, float]] = {m: {} for m in HEADLINE}
    for year, rs in by_year.items():
        if sorted(str(r["quarter"])[-1] for r in rs) != ["1", "2", "3", "4"]:
            continue
        q4 = next(r for r in rs if str(r["quarter"]).endswith("Q4"))
        for metric, (how, *keys) in HEADLINE.items():
            sums = [math.fsum(float(r[k]) for r in rs) for k in keys]
            if how == "stock":
                out[metric][year] = float(q4[keys[0]])
            elif how == "flow":
                out[metric][year] = sums[0]
            else:
                out[metric][year] = sums[0] / max(sums[1], RATIO_FLOOR)
    return out


def _forget_model(model: object) -> None:
    """Mesa 3.3 keeps a class-level counter per model (Agent._ids): drop this game's entry."""
    import mesa

    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)


def play_arm(task: tuple[str, tuple[tuple[str, str], ...], int, bool]) -> tuple[float, ...]:
    """One full game of an arm at one seed -> its headline values, metric-major, YEARS-minor."""
    from wargame.runner import make_seats, play
    from wargame.session import GameSession

    name, overrides, seed, sample_params = task
    session = GameSession(_scenario(name), seed, sample_params=sample_params)
    play(session, make_seats(session, dict(overrides)))
    values = year_values(session.timeline)
    _forget_model(session.model)
    try:
        return tuple(values[m][y] for m in HEADLINE for y in YEARS)
    except KeyError as exc:
        raise ValueError(f"scenario {name} does not cover the whole year {exc.args[0]}") from None


def run_games(tasks: list, workers: int | None = None) -> list[tuple[float, ...]]:
    """play_arm over tasks, in task order, in a forked pool (in-process for one worker)."""
    workers = (os.cpu_count() or 1) if workers is None else workers
    workers = max(1, min(workers, len(tasks)))
    if workers == 1:
        return [play_arm(t) for t in tasks]
    with fork_pool(workers) as pool:
        return pool.map(play_arm, tasks, chunksize=max(1, len(tasks) // (workers * 4)))


# --- the statistic ---------------------------------------------------------------------------------
def _rel(diff_median: np.ndarray, base_median: np.ndarray, all_zero: np.ndarray) -> np.ndarray:
    """Median difference over |median base|: 0 where nothing changed, NaN where undefined."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = diff_median / np.abs(base_median)
    rel = np.where(base_median == 0, np.nan, rel)
    return np.where(all_zero, 0.0, rel)


def rel_change(base: np.ndarray, variant: np.ndarray) -> float | None:
    """Median over seeds of (variant - base), divided by |median base|; None if undefined."""
    diff = np.asarray(variant, float) - np.asarray(base, float)
    value = _rel(np.median(diff), np.median(base), ~diff.any())
    return float(value) if np.isfinite(value) else None


def bootstrap_indices(n_seeds: int, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    """Seed indices drawn with replacement, one row per resample, from a fixed generator."""
    return np.random.default_rng(seed).integers(0, n_seeds, size=(resamples, n_seeds))


def ci95(base: np.ndarray, variant: np.ndarray, idx: np.ndarray) -> list[float] | None:
    """Percentile interval of rel_change over bootstrap resamples of the seeds; None when the
    point estimate is undefined or the statistic is undefined on too many resamples."""
    base, variant = np.asarray(base, float), np.asarray(variant, float)
    if rel_change(base, variant) is None:
        return None
    diff = (variant - base)[idx]
    stats = _rel(np.median(diff, axis=1), np.median(base[idx], axis=1), ~diff.any(axis=1))
    defined = stats[np.isfinite(stats)]
    if defined.size < MIN_DEFINED_SHARE * len(stats):
        return None
    lo, hi = np.percentile(defined, [2.5, 97.5])
    return [float(lo), float(hi)]


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def effect(base: np.ndarray, variant: np.ndarray, idx: np.ndarray) -> dict:
    """One cell of the JSON: medians of each arm, the paired relative change and its CI."""
    return {"base": _finite(float(np.median(base))), "variant": _finite(float(np.median(variant))),
            "rel_change": rel_change(base, variant), "ci95": ci95(base, variant, idx)}


# --- the whole table -------------------------------------------------------------------------------
def effects(seeds: int, sample_params: bool = False, workers: int | None = None,
            only: Iterable[str] | None = None) -> dict:
    """The `wargame effects --json` object. `only` restricts to comparisons of those names
    (for tests and quick looks; the command runs them all)."""
    if seeds < 2:
        raise ValueError(f"seeds must be at least 2 (got {seeds})")
    comps = comparisons()
    if only is not None:
        wanted = set(only)
        unknown = sorted(wanted - {c.name for c in comps})
        if unknown:
            raise ValueError(f"unknown comparisons {', '.join(unknown)}; comparisons: {', '.join(c.name for c in comps)}")
        comps = [c for c in comps if c.name in wanted]
    arms = sorted({a for c in comps for a in (c.base_arm, c.variant_arm)})
    tasks = [(name, overrides, seed, sample_params) for name, overrides in arms for seed in range(seeds)]
    results = run_games(tasks, workers)
    width = len(HEADLINE) * len(YEARS)
    table = {arm: np.array(results[i * seeds:(i + 1) * seeds], dtype=float).reshape(seeds, width) for i, arm in enumerate(arms)}
    idx = bootstrap_indices(seeds)
    rows = []
    for c in comps:
        base, variant = table[c.base_arm], table[c.variant_arm]
        cells: dict[str, dict[str, dict]] = {}
        for i, metric in enumerate(HEADLINE):
            cells[metric] = {str(y): effect(base[:, i * len(YEARS) + j], variant[:, i * len(YEARS) + j], idx)
                             for j, y in enumerate(YEARS)}
        rows.append({"name": c.name, "kind": c.kind, "base": c.base, "variant": c.variant, "effects": cells})
    return {"seeds": seeds, "comparisons": rows}


def _cell(e: dict) -> str:
    r, ci = e["rel_change"], e["ci95"]
    if r is None:
        return "n/a"
    text = f"{100 * r:+.1f}%"
    text += f" [{100 * ci[0]:+.1f}, {100 * ci[1]:+.1f}]" if ci is not None else " [n/a]"
    return text + (" *" if abs(r) >= MARK else "")


def format_effects(result: dict, sample_params: bool = False) -> str:
    """One line per comparison and metric: the change in each year, its CI, * if >= 5 %."""
    draws = "parameters drawn from each seed (shared by base and variant)" if sample_params else "parameters at their values"
    head = [f"effects over {result['seeds']} paired seeds; {draws}",
            f"seat swaps are played on {SEAT_SCENARIO}, every other seat at its default; scenarios against the one they extend",
            f"change = median paired difference / |base median|, [95 % bootstrap CI], * = |change| >= {MARK:.0%}",
            ""]
    rows = [["comparison", "base", "metric", *map(str, YEARS)]]
    for c in result["comparisons"]:
        for metric, by_year in c["effects"].items():
            rows.append([c["name"], c["base"], metric, *(_cell(by_year[str(y)]) for y in YEARS)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i < 3 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths, strict=True))).rstrip()
             for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(head + lines)
