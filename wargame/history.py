"""One history: where `historical` lands at the quarter `baseline` starts from, so the two
scenarios tell one story. The baseline's stocks (capacity, dies, HBM, compute, data centres,
what US intelligence believes) are set to the median of historical games at that quarter; a
test (tests/test_one_history.py) keeps them there when the mechanics change.

    .venv/bin/python -m wargame.history            # print the landing state next to the baseline's
    .venv/bin/python -m wargame.history --write    # and write it into wargame/scenarios/baseline.yaml
"""

from __future__ import annotations

import re
import sys
from typing import Any

import numpy as np

from wargame.ids import parse_quarter
from wargame.runner import make_seats, play
from wargame.scenario import SCENARIO_DIR, load_scenario
from wargame.session import GameSession
from wargame.state import World

# The state the baseline takes from history: stocks, slow-moving beliefs and the political
# balance. Settings that a seat decides afresh every quarter (orders, budgets, routes) are the
# baseline's own choice; the record's settings (thresholds, listings, tiers) agree by events.
SYNCED: tuple[str, ...] = (
    "smic.advanced_capacity_wpm", "smic.duv_tools", "smic.ai_yield", "smic.cash_usd_b",
    "huawei.die_bank", "huawei.hbm_stock", "huawei.packaging_capacity_chips", "huawei.rd_stock_usd_b",
    "market.us_compute_stock_h100e", "market.china_domestic_stock_h100e", "market.china_foreign_stock_h100e",
    "market.cxmt_hbm_stacks", "market.china_fleet_power_gw", "market.china_price_index_usd",
    "us.hawkishness", "us.intel_huawei_chips", "us.intel_china_stock_h100e", "us.intel_smic_yield",
    "smugglers.capital_usd_b",
    "tier2.india.compute_stock_h100e", "tier2.malaysia.compute_stock_h100e",
    "tier2.singapore.compute_stock_h100e", "tier2.uae.compute_stock_h100e",
    "tier2.india.dc_capacity_mw", "tier2.malaysia.dc_capacity_mw", "tier2.singapore.dc_capacity_mw",
    "tier2.uae.dc_capacity_mw",
    "tier2.india.alignment", "tier2.malaysia.alignment", "tier2.singapore.alignment", "tier2.uae.alignment",
)


def value_at(world: World, path: str) -> Any:
    obj: Any = world
    for part in path.split("."):
        obj = obj[part] if isinstance(obj, dict) else getattr(obj, part)
    return obj


def landing(at: str, seeds: int, scenario: str = "historical") -> dict[str, tuple[float, float, float]]:
    """Per synced field: (median, p10, p90) over `seeds` default-seat games at the start of `at`."""
    sc = load_scenario(scenario)
    turns = parse_quarter(at) - parse_quarter(sc.start_quarter)
    worlds = []
    for seed in range(seeds):
        s = GameSession(sc, seed)
        play(s, make_seats(s), turns)
        worlds.append(s.world)
    out = {}
    for path in SYNCED:
        values = np.array([float(value_at(w, path)) for w in worlds])
        out[path] = (float(np.median(values)), float(np.percentile(values, 10)), float(np.percentile(values, 90)))
    return out


def _tidy(x: float) -> str:
    """Three significant figures: enough for a stock that is itself a median of noisy games."""
    return f"{float(f'{x:.3g}'):g}" if abs(x) < 1e6 else str(int(float(f"{x:.3g}")))


def write_baseline(values: dict[str, float], path=SCENARIO_DIR / "baseline.yaml") -> None:
    """Put each synced value on its line of the baseline's `initial:` block, keeping the file's
    comments and layout (block fields `    name: value`, Tier-2 flow maps `name: {..., field: value}`)."""
    text = path.read_text(encoding="utf-8")
    head, sep, tail = text.partition("\ninitial_sources:")
    for dotted, value in values.items():
        parts = dotted.split(".")
        if parts[0] == "tier2":
            pattern = rf"(^    {parts[1]}: {{.*?\b{parts[2]}: )[^,}}]+"
        else:
            section = re.search(rf"^  {parts[0]}:\n((?:    .*\n)+)", head, re.M)
            if section is None:
                raise KeyError(dotted)
            pattern = rf"(^    {parts[1]}: )[^\n#]+"
            block = section.group(1)
            new, n = re.subn(pattern, lambda m, v=value: m.group(1) + _tidy(v), block, count=1, flags=re.M)
            if n != 1:
                raise KeyError(dotted)
            head = head[:section.start(1)] + new + head[section.end(1):]
            continue
        head, n = re.subn(pattern, lambda m, v=value: m.group(1) + _tidy(v), head, count=1, flags=re.M)
        if n != 1:
            raise KeyError(dotted)
    path.write_text(head + sep + tail, encoding="utf-8")


def main() -> None:
    base = load_scenario("baseline")
    result = landing(base.start_quarter, 16)
    start = base.start_world()
    for path, (median, lo, hi) in result.items():
        mine = float(value_at(start, path))
        print(f"{path:40s} historical {median:12.5g} ({lo:.4g}..{hi:.4g})  baseline {mine:12.5g}")
    if "--write" in sys.argv[1:]:
        write_baseline({path: median for path, (median, _, _) in result.items()})
        print("written to wargame/scenarios/baseline.yaml")


if __name__ == "__main__":
    main()
