"""Allied supply and who gets it: Nvidia's split, Tier-2 purchases, China's demand and how it
is met (domestic chips, licensed Nvidia chips, grey imports, smuggling, rented cloud).
"""

from __future__ import annotations

import math

import numpy as np

from wargame.chips import china_sku_h100e, threshold_rank, years_since_2025
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


def nvidia_path(p: Params, quarter_index: int) -> float:
    """Nvidia's planned output: log-linear through each year's Q1 rate, then steady growth."""
    rates = p.nvidia_output_h100e_by_year
    t = quarter_index / 4.0 - p.nvidia_output_first_year  # years since the path's first Q1
    last = len(rates) - 1
    if t >= last:
        return rates[last] * p.nvidia_output_growth_per_year ** (t - last)
    if t <= 0:
        return rates[0] * (rates[1] / rates[0]) ** t if last else rates[0]
    i = int(t)
    return rates[i] * (rates[i + 1] / rates[i]) ** (t - i)


def allied_output(w: World, p: Params, q: dict) -> None:
    """Nvidia's output follows its path, capped by its share of TSMC CoWoS (U1, U11)."""
    years = years_since_2025(w.quarter_index)
    path = nvidia_path(p, w.quarter_index)
    cowos = p.cowos_wpm_2025 * p.cowos_growth_per_year**years
    cap = 3.0 * cowos * p.cowos_nvidia_share * p.h100e_per_cowos_wafer
    out = min(path, cap)
    if w.china.mineral_curbs:
        out *= 1.0 - p.mineral_curbs_us_output_cut
    q["nvidia_output"] = out
    q["us_output"] = out * (1.0 + p.other_us_vendor_share)


def sku_price_per_h100e(p: Params, level: str, quarter_index: int) -> float:
    """List price of a China chip over the H100e it delivers (P1 prices, P2/H11 performance)."""
    return getattr(p, f"china_price_{level}") / china_sku_h100e(p, level, quarter_index)


def china_sku_sellable(w: World) -> bool:
    """Legal to ship: designed, at or under the threshold, licensed, and not banned by Beijing."""
    nv = w.nvidia
    return (
        nv.china_chip != "none"
        and threshold_rank(nv.china_chip) <= threshold_rank(w.us.threshold)
        and nv.licensed_level == nv.china_chip
        and w.china.foreign_chip_policy != "full_ban"
    )


def tier2_demand(w: World, p: Params) -> dict[str, float]:
    """H100e a nation wants this quarter: the gap between its data-centre room and its stock."""
    out = {}
    for nation, t in sorted(w.tier2.items()):
        room = t.dc_capacity_mw * 1000.0 / p.kw_per_h100e_allin
        out[nation] = max(0.0, room - t.compute_stock_h100e - t.chinese_chips_h100e)
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
    offered = w.nvidia.tier2_supply_share * q["nvidia_output"]
    total = math.fsum(want.values())
    scale = min(1.0, offered / total) if total > 0 else 0.0
    q["tier2_purchases"] = {n: v * scale for n, v in want.items()}
    q["tier2_sold"] = math.fsum(q["tier2_purchases"].values())
    q["tier2_chinese_demand"] = {
        n: d * p.chinese_chip_pref[STANCES.index(w.tier2[n].stance)] for n, d in demand.items()
    }


def export_huawei_chips(w: World, p: Params, q: dict) -> None:
    """Huawei offers a share of output abroad; Tier-2 buyers that lean to China take it."""
    offered = q["chips"] * w.huawei.export_share
    per_chip = q["chip_h100e"]
    wanted = {n: h / per_chip for n, h in q["tier2_chinese_demand"].items()} if per_chip > 0 else {}
    total = math.fsum(wanted.values())
    scale = min(1.0, offered / total) if total > 0 else 0.0
    q["huawei_exports_by_nation"] = {n: v * scale for n, v in wanted.items()}
    q["exports"] = math.fsum(q["huawei_exports_by_nation"].values())
    q["home_chips"] = q["chips"] - q["exports"]
    w.market.cumulative_chips_exported += q["exports"]
    w.market.cumulative_chips_home += q["home_chips"]


def china_demand(w: World, p: Params, rng: np.random.Generator, q: dict) -> None:
    """Demand grows on a path; algorithmic efficiency (the DeepSeek effect) is a random walk."""
    china = w.china
    china.algorithmic_efficiency *= math.exp(p.efficiency_drift_per_quarter + p.efficiency_sigma * rng.standard_normal())
    years = years_since_2025(w.quarter_index)
    w.market.china_demand_h100e = p.china_demand_h100e_q1 * p.china_demand_growth_per_year**years
    q["china_needed"] = w.market.china_demand_h100e / china.algorithmic_efficiency


def meet_china_demand(w: World, p: Params, rng: np.random.Generator, q: dict) -> None:
    """Domestic chips first, then licensed Nvidia chips, grey imports, smuggling, rented cloud."""
    m, nv, china = w.market, w.nvidia, w.china
    domestic = q["home_chips"] * q["chip_h100e"] * (1.0 + p.supernode_perf_gain * w.huawei.supernode_share)
    domestic += q["other_h100e"]
    q["domestic_h100e"] = domestic
    q["china_output"] = q["chips"] * q["chip_h100e"] + q["other_h100e"]
    remaining = max(0.0, q["china_needed"] - domestic)

    pref = getattr(p, f"nvidia_pref_{china.foreign_chip_policy}")
    power = china.subsidies_usd_b.get("dc_power", 0.0)
    pref *= 1.0 - p.power_subsidy_pref_cut * power / (power + p.power_subsidy_half_usd_b)
    sku_made = 0.0
    if china_sku_sellable(w):
        sku_made = nv.china_supply_share * q["nvidia_output"]
        offered = sku_made + nv.unsold_china_inventory_h100e
        # buyers compare the SKU's price per H100e with the flagship's list price per H100e
        relative = sku_price_per_h100e(p, nv.china_chip, w.quarter_index) * nv.price_multiplier / p.price_per_h100e_usd
        wanted = remaining * pref * relative ** (-p.china_price_elasticity)
        sold = min(offered, wanted, remaining)
        nv.unsold_china_inventory_h100e = offered - sold
    else:
        sold = 0.0
    q["sku_made"], q["nvidia_china_sold"] = sku_made, sold
    remaining -= sold

    loose = 1.0 + threshold_rank(w.us.threshold) * p.gray_loosening_per_step
    gray = min(remaining, p.gray_leak_h100e * loose * (1.0 + m.unmet_ratio))
    q["gray"] = gray
    remaining -= gray

    smuggle(w, p, rng, q, black_market=remaining * p.black_market_share)
    remaining -= q["smuggled"]
    cloud_leak(w, p, q, remaining)
    remaining -= q["cloud_leak"]
    q["unmet"] = max(0.0, remaining)
    m.unmet_ratio = min(1.0, q["unmet"] / q["china_needed"]) if q["china_needed"] > 0 else 0.0


def smuggling_premium(w: World, p: Params) -> float:
    """Black-market markup over list: scarcity (last quarter's unmet share) and enforcement."""
    enf = w.us.enforcement_budget_usd_m / p.enforcement_ref_usd_m
    prem = p.premium_base + p.premium_per_unmet * w.market.unmet_ratio + p.premium_per_enforcement * (enf - 1.0)
    return max(0.0, prem)


def smuggle(w: World, p: Params, rng: np.random.Generator, q: dict, black_market: float) -> None:
    """Routes through hubs: capped by what the hub imported, capital and buyers; seizures by shipment."""
    sm, m = w.smugglers, w.market
    premium = smuggling_premium(w, p)
    m.smuggling_premium = premium
    enf = w.us.enforcement_budget_usd_m / p.enforcement_ref_usd_m
    frag = sm.fragmentation
    planned = {}
    for hub, volume in sorted(sm.routes.items()):
        if sm.lying_low or hub not in w.tier2:
            continue
        controls = w.tier2[hub].transship_controls
        # chip tracking and buyer checks paid for by US enforcement shrink what can be diverted
        diversion = getattr(p, f"diversion_{controls}") / (1.0 + p.diversion_enforcement_cut * max(0.0, enf - 1.0))
        cap = diversion * (q["tier2_purchases"].get(hub, 0.0) + p.hub_stock_diversion_share * w.tier2[hub].compute_stock_h100e)
        planned[hub] = min(volume, cap) * (1.0 - p.fragmentation_throughput_cut * frag)
    total = math.fsum(planned.values())
    capital_cap = sm.capital_usd_b * 1e9 / p.price_per_h100e_usd
    limit = min(black_market, capital_cap)
    scale = min(1.0, limit / total) if total > 0 else 0.0
    shipped, seized = {}, {}
    for hub, v in planned.items():
        v *= scale
        controls = w.tier2[hub].transship_controls
        rate = p.seizure_us_rate * enf + getattr(p, f"seizure_hub_{controls}")
        prob = 1.0 - math.exp(-rate * (1.0 - p.fragmentation_seizure_cut * frag))
        size = p.shipment_h100e * (1.0 - p.fragmentation_shipment_cut * frag)
        n = math.ceil(v / size) if v > 0 else 0
        k = int(rng.binomial(n, prob)) if n else 0
        shipped[hub], seized[hub] = v, min(v, k * size)
    q["smuggled_by_hub"] = {h: shipped[h] - seized[h] for h in shipped}
    q["diverted_by_hub"] = shipped
    q["seized"] = math.fsum(seized.values())
    q["smuggled"] = math.fsum(q["smuggled_by_hub"].values())
    price = p.price_per_h100e_usd / 1e9
    bought = math.fsum(shipped.values())
    profit = q["smuggled"] * price * (1.0 + premium) - bought * price * (1.0 + p.smuggler_cost_share)
    q["smuggler_profit"] = profit
    sm.capital_usd_b = max(0.0, sm.capital_usd_b + profit)
    m.cumulative_smuggled_h100e += q["smuggled"]


def cloud_leak(w: World, p: Params, q: dict, remaining: float) -> None:
    """Compute rented abroad: hubs that admit Chinese tenants, cut by US cloud KYC and listing."""
    capacity = math.fsum(
        t.compute_stock_h100e * p.cloud_rentable_share for t in w.tier2.values() if t.admit_chinese_tenants
    )
    if w.us.cloud_kyc:
        capacity *= 1.0 - p.cloud_kyc_cut
    if "chinese_cloud" in w.us.entity_list:
        capacity *= 1.0 - p.cloud_entity_cut
    wanted = remaining * p.cloud_direct_share + w.smugglers.cloud_broker_h100e
    q["cloud_leak"] = max(0.0, min(capacity, wanted, remaining))


def settle_stocks(w: World, p: Params, q: dict) -> None:
    """Install this quarter's chips, retire old ones (P5), and price the power they draw."""
    m, hw = w.market, w.huawei
    r = p.retire_per_quarter
    foreign = q["nvidia_china_sold"] + q["gray"] + q["smuggled"]
    q["foreign_h100e"] = foreign
    m.china_domestic_stock_h100e = m.china_domestic_stock_h100e * (1 - r) + q["domestic_h100e"]
    m.china_foreign_stock_h100e = m.china_foreign_stock_h100e * (1 - r) + foreign
    us_add = q["us_output"] - q["sku_made"] - q["tier2_sold"]
    q["us_additions"] = us_add
    m.us_compute_stock_h100e = m.us_compute_stock_h100e * (1 - r) + us_add
    s = hw.supernode_share
    domestic_kw = q["home_chips"] * (s * p.supernode_kw_per_chip
                                     + (1 - s) * q["chip_h100e"] * p.kw_per_h100e_foreign * p.domestic_power_penalty)
    domestic_kw += q["other_h100e"] * p.kw_per_h100e_foreign * p.domestic_power_penalty
    new_gw = (domestic_kw + foreign * p.kw_per_h100e_foreign) * p.pue / 1e6
    m.china_fleet_power_gw = m.china_fleet_power_gw * (1 - r) + new_gw
    tier2_add = 0.0
    for nation, t in sorted(w.tier2.items()):
        bought = q["tier2_purchases"].get(nation, 0.0) - q["diverted_by_hub"].get(nation, 0.0)
        chinese = q["huawei_exports_by_nation"].get(nation, 0.0) * q["chip_h100e"]
        t.compute_stock_h100e = t.compute_stock_h100e * (1 - r) + bought
        t.chinese_chips_h100e = t.chinese_chips_h100e * (1 - r) + chinese
        tier2_add += bought + chinese
    q["tier2_additions"] = tier2_add


def nvidia_books(w: World, p: Params, q: dict) -> None:
    nv = w.nvidia
    china_rev = 0.0
    if nv.china_chip != "none":
        per_h100e = sku_price_per_h100e(p, nv.china_chip, w.quarter_index)
        china_rev = q["nvidia_china_sold"] * per_h100e * nv.price_multiplier / 1e9
    rest = (q["nvidia_output"] - q["sku_made"]) * p.price_per_h100e_usd / 1e9
    q["nvidia_china_revenue"] = china_rev
    q["nvidia_revenue"] = china_rev + rest + p.nvidia_other_revenue_usd_b
    q["export_fee_paid"] = china_rev * w.us.export_fee
