"""Compare the `historical` scenario with the public record: every T and B row of
../shared/calibration/targets.yaml that the model can express, over many seeds.

Bands follow the targets' spirit (docs/model.md, "Calibration"): a range row must fall inside
its range; a point row gets +-20 % when its source is high-confidence, +-30 % when medium and
+-50 % when low; a bound row sits between the figures it bounds. The band is judged on the
median over seeds; p10 and p90 show the spread.

Each row says how the model got there (`basis`): "initial" when the figure is, in effect, an
input (a scripted event or an initial condition sets it), "fitted" when a parameter was tuned
to land on it (docs/model.md names which), and "emergent" when nothing was set or tuned for it:
the model's own output from other inputs, the moves and the dice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from wargame.ids import parse_quarter
from wargame.runner import make_seats, play_turn
from wargame.scenario import load_scenario
from wargame.session import GameSession

HIGH, MEDIUM, LOW = 0.2, 0.3, 0.5
CALIBRATION_SCENARIO = "historical"
LAST_QUARTER = "2026Q4"  # the latest quarter any target needs


@dataclass
class GameRun:
    """One seeded game's records by quarter, and the US seat's estimates of hidden numbers."""

    records: dict[str, dict]
    us_estimates: dict[str, dict]  # quarter -> estimates of that quarter, seen the next one

    def at(self, quarter: str, key: str) -> float:
        return float(self.records[quarter][key])

    def year(self, year: int, key: str, how: str = "sum") -> float:
        values = [self.at(f"{year}Q{i}", key) for i in range(1, 5)]
        return float(sum(values) if how == "sum" else np.mean(values))

    def quarters(self, first: str, last: str, key: str) -> float:
        lo, hi = parse_quarter(first), parse_quarter(last)
        return float(sum(r[key] for q, r in self.records.items() if lo <= parse_quarter(q) <= hi))


BASES: tuple[str, ...] = ("initial", "fitted", "emergent")


@dataclass(frozen=True)
class Target:
    id: str
    quantity: str
    target: float | tuple[float, float]
    band: tuple[float, float]
    measure: Callable[[GameRun], float]
    basis: str = "emergent"


def point(value: float, tolerance: float) -> tuple[float, float]:
    return (value * (1 - tolerance), value * (1 + tolerance))


def _share(num: float, den: float) -> float:
    return num / den if den > 0 else 0.0


def targets() -> list[Target]:
    """The rows the model can express, each with its measure on a GameRun."""
    t: list[Target] = []

    def add(id_: str, quantity: str, target, band, measure, basis: str = "emergent") -> None:
        t.append(Target(id_, quantity, target, band, measure, basis))

    add("S3", "SMIC revenue 2023, USD B", 6.32, point(6.32, HIGH), lambda g: g.year(2023, "smic_revenue_usd_b"), "fitted")
    add("S3", "SMIC revenue 2024, USD B", 8.03, point(8.03, HIGH), lambda g: g.year(2024, "smic_revenue_usd_b"))
    add("S4", "SMIC revenue H1 2025, USD B", 4.456, point(4.456, MEDIUM), lambda g: g.quarters("2025Q1", "2025Q2", "smic_revenue_usd_b"))
    add("S5", "SMIC wafers/month for AI accelerators, 2025", 7000, point(7000, MEDIUM), lambda g: g.year(2025, "smic_ai_wafers_per_month", "mean"))
    add("S6", "SMIC advanced capacity 2025Q4, wafers/month", 45000, point(45000, MEDIUM), lambda g: g.at("2025Q4", "smic_advanced_capacity_wpm"))
    add("U14", "SMIC <=7nm capacity 2025Q4, between MS (22k) and SemiAnalysis (45k)", (22000, 45000), (22000, 45000),
        lambda g: g.at("2025Q4", "smic_advanced_capacity_wpm"))
    add("U14", "SMIC <=7nm capacity 2026Q4, wafers/month (MS)", 42000, point(42000, MEDIUM), lambda g: g.at("2026Q4", "smic_advanced_capacity_wpm"))
    add("H1b", "Ascend die yield end-2025, between the bear case and FT", (0.05, 0.40), (0.05, 0.40), lambda g: g.at("2025Q4", "smic_yield"), "fitted")
    add("H2", "Huawei share of China's AI-chip output 2025 (>0.75)", (0.75, 1.0), (0.75, 1.0),
        lambda g: _share(g.year(2025, "huawei_output_chips"), g.year(2025, "china_domestic_chips")), "fitted")
    add("H4", "Ascend chips made in 2025 (analysts: true output)", 805000, point(805000, MEDIUM), lambda g: g.year(2025, "huawei_output_chips"), "fitted")
    add("H3", "Ascend output 2025 as the US government estimates it", 200000, point(200000, HIGH),
        lambda g: sum(g.us_estimates[f"2025Q{i}"].get("huawei_output_chips", 0.0) for i in range(1, 5)), "fitted")
    add("U10", "China's domestic AI chips 2025", 1500000, point(1500000, MEDIUM), lambda g: g.year(2025, "china_domestic_chips"), "fitted")
    add("C0", "US:China AI-chip production ratio 2025", 25, point(25, MEDIUM),
        lambda g: _share(g.year(2025, "us_ai_chip_output_h100e"), g.year(2025, "china_ai_chip_output_h100e")))
    add("C2", "US:China compute stock ratio 2025Q2 (Epoch: 0.75 vs 0.15)", 5.0, point(5.0, HIGH), lambda g: g.at("2025Q2", "us_china_stock_ratio"))
    add("C3", "China's share of world AI compute 2025Q4 (just over 0.05)", 0.055, point(0.055, MEDIUM),
        lambda g: _share(g.at("2025Q4", "china_compute_stock_h100e"), g.at("2025Q4", "global_compute_stock_h100e")))
    add("U7", "World AI compute stock end-2025, H100e (>15M)", (15e6, 25e6), (15e6, 25e6), lambda g: g.at("2025Q4", "global_compute_stock_h100e"))
    add("N1", "China share of Nvidia data-centre revenue 2023Q4 (mid single digits)", (0.03, 0.07), (0.03, 0.07),
        lambda g: _share(g.at("2023Q4", "nvidia_china_revenue_usd_b"), g.at("2023Q4", "nvidia_datacenter_revenue_usd_b")))
    add("N2", "China share of Nvidia revenue 2023 (FY2024)", 0.17, point(0.17, HIGH),
        lambda g: _share(g.year(2023, "nvidia_china_total_revenue_usd_b"), g.year(2023, "nvidia_revenue_usd_b")), "fitted")
    add("N2", "China share of Nvidia revenue 2024 (FY2025)", 0.13, point(0.13, HIGH),
        lambda g: _share(g.year(2024, "nvidia_china_total_revenue_usd_b"), g.year(2024, "nvidia_revenue_usd_b")), "fitted")
    add("U3", "China share of Nvidia revenue 2025Q3", 0.05, point(0.05, MEDIUM),
        lambda g: _share(g.at("2025Q3", "nvidia_china_total_revenue_usd_b"), g.at("2025Q3", "nvidia_revenue_usd_b")))
    add("N10", "Nvidia's legal share of China's AI-chip additions, 4 quarters to 2025Q1", 0.5, point(0.5, MEDIUM),
        lambda g: _share(g.quarters("2024Q2", "2025Q1", "nvidia_china_sales_h100e"), g.quarters("2024Q2", "2025Q1", "china_compute_additions_h100e")))
    add("N10", "Nvidia's legal share of China's AI-chip additions 2025Q4 (near 0)", (0.0, 0.1), (0.0, 0.1),
        lambda g: _share(g.at("2025Q4", "nvidia_china_sales_h100e"), g.at("2025Q4", "china_compute_additions_h100e")))
    add("N12", "Nvidia federal lobbying 2024, USD M", 0.64, point(0.64, HIGH), lambda g: g.year(2024, "nvidia_lobbying_usd_m"), "initial")
    add("N12", "Nvidia federal lobbying 2025, USD M", 4.9, point(4.9, HIGH), lambda g: g.year(2025, "nvidia_lobbying_usd_m"), "initial")
    for year, value in ((2023, 47.5), (2024, 115.2), (2025, 193.7)):
        add("U1", f"Nvidia data-centre revenue {year} (FY{year + 1}), USD B", value, point(value, HIGH),
            lambda g, y=year: g.year(y, "nvidia_datacenter_revenue_usd_b"), "fitted" if year == 2024 else "emergent")
    for i, value in enumerate((39.1, 41.1, 51.2, 62.3), start=1):
        add("U2", f"Nvidia data-centre revenue 2025Q{i}, USD B", value, point(value, HIGH),
            lambda g, q=f"2025Q{i}": g.at(q, "nvidia_datacenter_revenue_usd_b"))
    add("U9", "Smuggled compute into China through 2025, H100e (90 % CI)", 660000, (290000, 1600000),
        lambda g: g.at("2025Q4", "cumulative_smuggled_h100e"))
    add("X2", "Smuggled advanced GPUs 2024 (low..high)", (10000, 400000), (10000, 400000), lambda g: g.year(2024, "smuggled_h100e"))
    add("X4", "Black-market premium 2025Q2", 0.5, point(0.5, MEDIUM), lambda g: g.at("2025Q2", "smuggling_price_premium"), "fitted")
    add("A1", "China share of ASML sales 2023Q3", 0.46, point(0.46, HIGH), lambda g: g.at("2023Q3", "asml_china_share"))
    add("A1", "China share of ASML sales 2024H1", 0.49, point(0.49, HIGH),
        lambda g: float(np.mean([g.at("2024Q1", "asml_china_share"), g.at("2024Q2", "asml_china_share")])))
    add("A1", "China share of ASML sales 2024", 0.41, point(0.41, HIGH), lambda g: g.year(2024, "asml_china_share", "mean"))
    add("A1", "China share of ASML sales 2025", 0.33, point(0.33, HIGH), lambda g: g.year(2025, "asml_china_share", "mean"), "fitted")
    add("D6", "China's AI-chip demand over domestic output 2025 (five times would not suffice)", (5.0, 100.0), (5.0, 100.0),
        lambda g: _share(g.year(2025, "china_demand_h100e"), g.year(2025, "china_ai_chip_output_h100e")))
    return t


def play_historical(seed: int, scenario_name: str = CALIBRATION_SCENARIO, sample_params: bool = False) -> GameRun:
    """Play the scenario with its default seats to LAST_QUARTER, noting the US estimates
    (with `sample_params`, on parameters drawn from the seed)."""
    session = GameSession(load_scenario(scenario_name), seed, sample_params=sample_params)
    seats = make_seats(session)
    estimates: dict[str, dict] = {}
    last = parse_quarter(LAST_QUARTER)
    while not session.is_over and session.world.quarter_index <= last:
        if session.timeline:
            estimates[session.timeline[-1]["quarter"]] = dict(session.observe("us").estimates)
        play_turn(session, seats)
    estimates[session.timeline[-1]["quarter"]] = dict(session.observe("us").estimates) if not session.is_over else {}
    return GameRun({r["quarter"]: r for r in session.timeline}, estimates)


def calibrate(seeds: int = 32, scenario_name: str = CALIBRATION_SCENARIO, sample_params: bool = False) -> dict:
    """The comparison table as a JSON-ready dict (the `wargame calibrate --json` contract)."""
    runs = [play_historical(seed, scenario_name, sample_params) for seed in range(seeds)]
    rows = []
    for tgt in targets():
        values = np.array([tgt.measure(g) for g in runs], dtype=float)
        median = float(np.median(values))
        lo, hi = tgt.band
        rows.append({
            "id": tgt.id,
            "quantity": tgt.quantity,
            "target": list(tgt.target) if isinstance(tgt.target, tuple) else tgt.target,
            "band": [lo, hi],
            "model_median": median,
            "model_p10": float(np.percentile(values, 10)),
            "model_p90": float(np.percentile(values, 90)),
            "within": bool(lo <= median <= hi),
            "basis": tgt.basis,
        })
    within = sum(r["within"] for r in rows)
    basis_within = {b: sum(r["within"] and r["basis"] == b for r in rows) for b in BASES}
    return {"scenario": scenario_name, "seeds": seeds, "sample_params": sample_params, "targets": rows,
            "within_count": within, "total": len(rows), "within_by_basis": basis_within}


def format_calibration(result: dict) -> str:
    def num(x: float) -> str:
        return f"{x:.3g}" if abs(x) < 1e4 else f"{x:,.0f}"

    lines = [f"{'id':5s} {'quantity':62s} {'target':>17s} {'band':>23s} {'median':>11s} {'p10..p90':>23s}  ok   basis"]
    for r in result["targets"]:
        target = "..".join(num(x) for x in r["target"]) if isinstance(r["target"], list) else num(r["target"])
        band = "..".join(num(x) for x in r["band"])
        spread = f"{num(r['model_p10'])}..{num(r['model_p90'])}"
        lines.append(f"{r['id']:5s} {r['quantity'][:62]:62s} {target:>17s} {band:>23s} {num(r['model_median']):>11s} {spread:>23s}  "
                     + ("yes" if r["within"] else "NO ") + f"  {r['basis']}")
    share = result["within_count"] / result["total"]
    lines.append(f"{result['within_count']} of {result['total']} targets within band ({share:.0%}); "
                 f"scenario {result['scenario']}, {result['seeds']} seeds"
                 + (", parameters drawn per seed" if result.get("sample_params") else ""))
    by = result["within_by_basis"]
    lines.append("within band by basis: " + ", ".join(f"{by[b]} {b}" for b in BASES)
                 + f" ({by['emergent'] / max(1, result['within_count']):.0%} of those within band are emergent)")
    return "\n".join(lines)
