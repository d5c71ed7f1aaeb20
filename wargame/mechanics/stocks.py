"""Installed compute: this quarter's chips go in, old ones retire (P5), and China's fleet draws
power (P3, E1)."""

from __future__ import annotations

from wargame.chips import kw_per_h100e
from wargame.params import Params
from wargame.state import World


def settle_stocks(w: World, p: Params, q: dict) -> None:
    m, hw = w.market, w.huawei
    r = p.retire_per_quarter
    foreign = q["nvidia_china_sold"] + q["gray"] + q["smuggled"]
    q["foreign_h100e"] = foreign
    m.china_domestic_stock_h100e = m.china_domestic_stock_h100e * (1 - r) + q["domestic_h100e"]
    m.china_foreign_stock_h100e = m.china_foreign_stock_h100e * (1 - r) + foreign
    us_add = max(0.0, q["us_output"] - q["sku_made"] - q["tier2_sold"] + q["china_resold"] - q["shell_bought"])
    q["us_additions"] = us_add
    m.us_compute_stock_h100e = m.us_compute_stock_h100e * (1 - r) + us_add
    kw = kw_per_h100e(p, w.quarter_index)
    s = hw.supernode_share
    # a supernode trades power for usable performance (H13): it draws its chips' power and more
    domestic_kw = q["domestic_h100e"] * kw * p.domestic_power_penalty * (1.0 + s * p.supernode_power_overhead)
    new_gw = (domestic_kw + foreign * kw) * p.pue / 1e6
    m.china_fleet_power_gw = m.china_fleet_power_gw * (1 - r) + new_gw
    tier2_add = 0.0
    for nation, t in sorted(w.tier2.items()):
        bought = q["tier2_purchases"].get(nation, 0.0) - q["diverted_by_hub"].get(nation, 0.0)
        chinese = q["huawei_exports_by_nation"].get(nation, 0.0) * q["chip_h100e"]
        # chips diverted beyond this quarter's imports come out of the installed stock
        t.compute_stock_h100e = max(0.0, t.compute_stock_h100e * (1 - r) + bought)
        t.chinese_chips_h100e = t.chinese_chips_h100e * (1 - r) + chinese
        tier2_add += bought + chinese
    q["tier2_additions"] = tier2_add
