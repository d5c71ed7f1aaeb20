"""Allied supply: Nvidia's output (TSMC CoWoS packaging and what the world will buy), its China
product, Tier-2 purchases, and Nvidia's books (China-only stock that does not sell is resold
elsewhere at a loss, never deleted).
"""

from __future__ import annotations

import math

from wargame.chips import (
    china_sku_h100e,
    kw_per_h100e,
    sku_price_per_h100e,
    slowing_growth,
    threshold_rank,
    world_price_per_h100e,
    years_since_2025,
)
from wargame.params import Params
from wargame.state import STANCES, World


def nvidia_design(w: World) -> None:
    """A China chip in design becomes the product on sale once ready; it needs a new licence."""
    nv = w.nvidia
    if nv.design_target != "none" and w.turn >= nv.design_ready_turn:
        nv.china_chip, nv.design_target = nv.design_target, "none"
        if nv.licensed_level != nv.china_chip:
            nv.licensed_level = "none"
        w.news.append(f"Nvidia's {nv.china_chip} China chip is ready.")


def settle_licences(w: World) -> None:
    """What is licensed at the end of the quarter ships from the next one (orders, export
    paperwork and production take a quarter, as after N8 and N14)."""
    nv = w.nvidia
    nv.shipping_level = nv.licensed_level if nv.licensed_level == nv.china_chip else "none"


def cowos_wpm(p: Params, quarter_index: int) -> float:
    """TSMC CoWoS capacity (U11): log-linear through each year's Q4 figure, then steady growth."""
    points = p.cowos_wpm_q4_by_year
    t = (quarter_index - (p.cowos_first_year * 4 + 3)) / 4.0  # years since the first Q4 point
    last = len(points) - 1
    if t <= 0:
        return points[0]
    if t >= last:
        return points[last] * p.cowos_growth_per_year ** (t - last)
    i = int(t)
    return points[i] * (points[i + 1] / points[i]) ** (t - i)


def world_demand_usd_b(p: Params, quarter_index: int) -> float:
    """What buyers outside China would spend on Nvidia data-centre chips this quarter at list
    price: growth that starts fast and slows (P7 hyperscaler capex)."""
    return slowing_growth(p.world_demand_usd_b_2025q1, p.world_demand_growth_2025, p.world_demand_growth_decay, quarter_index)


def china_sku_sellable(w: World) -> bool:
    """Legal to ship: designed, at or under the threshold, licensed since last quarter at least,
    and not banned by Beijing."""
    nv = w.nvidia
    return (
        nv.china_chip != "none"
        and threshold_rank(nv.china_chip) <= threshold_rank(w.us.threshold)
        and nv.licensed_level == nv.china_chip
        and nv.shipping_level == nv.china_chip
        and w.china.foreign_chip_policy != "full_ban"
    )


def efficiency_demand_factor(w: World, p: Params) -> float:
    """Algorithmic efficiency makes compute worth more to every buyer alike; whether that raises
    or lowers the hardware bought depends on how price-elastic demand is (eff^(elasticity-1))."""
    return w.china.algorithmic_efficiency ** (p.china_price_elasticity - 1.0)


def allied_output(w: World, p: Params, q: dict) -> None:
    """Nvidia makes what CoWoS allows, less what the world outside China will not buy; its China
    allocation is its chosen share of that output (U1, U2, U11, P7)."""
    years = years_since_2025(w.quarter_index)
    price = world_price_per_h100e(p, w.quarter_index)
    per_wafer = p.h100e_per_cowos_wafer * p.cowos_h100e_growth_per_year**years
    cap = 3.0 * cowos_wpm(p, w.quarter_index) * p.cowos_nvidia_share * per_wafer * q["shock"]["cowos"]
    if w.china.mineral_curbs:
        cap *= 1.0 - p.mineral_curbs_us_output_cut
    nv = w.nvidia
    wanted = world_demand_usd_b(p, w.quarter_index) * q["shock"]["world_demand"] * 1e9 / price * efficiency_demand_factor(w, p)
    # the China allocation is a share of what Nvidia makes: all CoWoS allows, or what the world
    # outside China buys plus the China batch, whichever is less
    share = nv.china_supply_share if china_sku_sellable(w) else 0.0
    total = min(cap, wanted / (1.0 - share)) if share < 1.0 else cap
    china_made = share * total
    rest = max(0.0, total - china_made)
    w.market.cumulative_china_sku_made_h100e += china_made
    q.update(world_price=price, sku_made=china_made, nvidia_rest=rest,
             nvidia_output=rest + china_made, us_output=(rest + china_made) * (1.0 + p.other_us_vendor_share))


def tier2_demand(w: World, p: Params) -> dict[str, float]:
    """H100e a nation wants this quarter: the gap between its data-centre room and its stock."""
    per_mw = 1000.0 / (kw_per_h100e(p, w.quarter_index) * p.allin_power_overhead)
    out = {}
    for nation, t in sorted(w.tier2.items()):
        out[nation] = max(0.0, t.dc_capacity_mw * per_mw - t.compute_stock_h100e - t.chinese_chips_h100e)
    return out


def tier2_caps(w: World, p: Params) -> dict[str, float]:
    caps = {}
    for nation, t in sorted(w.tier2.items()):
        tier = w.us.diffusion.get(nation, "tier1")
        if tier == "tier1":
            caps[nation] = math.inf
        elif tier == "tier3":
            caps[nation] = 0.0
        elif nation in w.us.tier2_caps_h100e:
            caps[nation] = w.us.tier2_caps_h100e[nation]
        else:
            agreement = t.stance == "align_us" and t.alignment > 0.3
            caps[nation] = p.tier2_cap_agreement_h100e if agreement else p.tier2_cap_h100e
    return caps


def sell_to_tier2(w: World, p: Params, q: dict) -> None:
    """Nvidia's Tier-2 allocation split by demand for US chips, within diffusion caps (T3)."""
    demand = tier2_demand(w, p)
    caps = tier2_caps(w, p)
    want = {}
    for nation, d in demand.items():
        us_pref = 1.0 - p.chinese_chip_pref[STANCES.index(w.tier2[nation].stance)]
        want[nation] = min(d * us_pref, caps[nation])
    offered = w.nvidia.tier2_supply_share * q["nvidia_rest"]
    total = math.fsum(want.values())
    scale = min(1.0, offered / total) if total > 0 else 0.0
    q["tier2_purchases"] = {n: v * scale for n, v in want.items()}
    q["tier2_sold"] = math.fsum(q["tier2_purchases"].values())
    q["tier2_chinese_demand"] = {
        n: d * p.chinese_chip_pref[STANCES.index(w.tier2[n].stance)] for n, d in demand.items()
    }


def nvidia_books(w: World, p: Params, q: dict) -> None:
    """Revenue at list price outside China, the China chip's price in China, and China-only stock
    that did not sell: a share is resold elsewhere each quarter at a salvage price (the rest of its
    book value written down), faster when it can no longer be shipped to China (N5)."""
    nv, m = w.nvidia, w.market
    china_rev = 0.0
    if nv.china_chip != "none":
        per_h100e = sku_price_per_h100e(p, nv.china_chip, w.quarter_index)
        china_rev = q["nvidia_china_sold"] * per_h100e * nv.price_multiplier / 1e9
    rate = p.china_inventory_resale_sellable if china_sku_sellable(w) else p.china_inventory_resale_blocked
    resold = nv.unsold_china_inventory_h100e * rate
    # resold outside China, valued against the flagship's price per H100e
    resale_rev = resold * q["world_price"] * p.china_inventory_salvage / 1e9
    writedown = resold * q["world_price"] * (1.0 - p.china_inventory_salvage) / 1e9
    nv.unsold_china_inventory_h100e = max(0.0, nv.unsold_china_inventory_h100e - resold)
    m.cumulative_china_sku_resold_h100e += resold
    rest = q["nvidia_rest"] * q["world_price"] / 1e9
    q.update(nvidia_china_revenue=china_rev, china_resold=resold, nvidia_writedown=writedown,
             nvidia_revenue=china_rev + resale_rev + rest + p.nvidia_other_revenue_usd_b,
             export_fee_paid=china_rev * w.us.export_fee)


def china_offer(w: World, p: Params, q: dict) -> tuple[float, float, float]:
    """Nvidia's China chip on offer this quarter: H100e available, price per H100e, H100e per chip."""
    nv = w.nvidia
    if not china_sku_sellable(w):
        return 0.0, 0.0, 0.0
    price = sku_price_per_h100e(p, nv.china_chip, w.quarter_index) * nv.price_multiplier
    return q["sku_made"] + nv.unsold_china_inventory_h100e, price, china_sku_h100e(p, nv.china_chip, w.quarter_index)
