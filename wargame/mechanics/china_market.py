"""China's market for AI chips: latent demand that grows with AI adoption and answers to price,
and buyers who choose between domestic, licensed Nvidia, smuggled and grey-market chips on
price per H100e, performance per chip, the CUDA ecosystem, risk and Beijing's guidance.

Demand (H100e a quarter) = spend(t) / P_world x (P_paid / P_world)^-elasticity x efficiency term,
where spend(t) follows Chinese AI capex (D3, P6) and P_paid is what buyers paid per H100e last
quarter. Each source i gets a logit weight exp(u_i),
    u_i = -price_sensitivity ln(p_i / P_world) + perf_weight ln(H100e per chip) + bonus_i - penalty_i,
and demand is water-filled over the sources within what each can supply; what no source can
supply is unmet. Under `state_dc_domestic` (E2) and `full_ban` a captive share of demand (state
data centres) may buy only domestic chips. Self-sufficiency is 1.0 only when Beijing bans
foreign chips and smuggling does not pay.
"""

from __future__ import annotations

import math

import numpy as np

from wargame.chips import flagship_h100e, kw_per_h100e, slowing_growth, threshold_rank
from wargame.mechanics.allied import china_offer, efficiency_demand_factor
from wargame.mechanics.smuggling import cloud_leak, ship_smuggled, smuggling_premium
from wargame.params import Params
from wargame.state import FOREIGN_CHIP_POLICIES, World


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
    """Latent demand at world prices, cut or raised by what Chinese buyers actually pay."""
    china = w.china
    china.algorithmic_efficiency *= math.exp(p.efficiency_drift_per_quarter + p.efficiency_sigma * rng.standard_normal())
    spend = slowing_growth(p.china_spend_usd_b_2025q1, p.china_spend_growth_2025, p.china_spend_growth_decay, w.quarter_index)
    spend *= q["shock"]["china_spend"]
    latent = spend * 1e9 / q["world_price"]
    relative = w.market.china_price_index_usd / q["world_price"]
    demand = latent * relative ** (-p.china_price_elasticity) * efficiency_demand_factor(w, p)
    w.market.china_demand_h100e = demand
    q.update(china_latent=latent, china_needed=demand)


def domestic_price(w: World, p: Params, q: dict, fresh_h100e: float, supply_h100e: float) -> float:
    """Price per H100e of domestic chips: Huawei's price (P1) falling as yields and generations
    improve, cut to clear unsold stock; plus the extra lifetime power bill of a less efficient
    chip (E1), less Beijing's power subsidy spread over the supply."""
    years = (w.quarter_index - 2025 * 4) / 4.0
    price = p.ascend_price_per_h100e_usd * p.ascend_price_decline_per_year**years
    stock = supply_h100e - fresh_h100e
    price *= 1.0 - min(0.5, p.domestic_clearance_discount * stock / max(fresh_h100e, 1.0))
    kwh = kw_per_h100e(p, w.quarter_index) * p.pue * 24 * 365 * p.accelerator_life_years
    extra_power = (p.domestic_power_penalty - 1.0) * kwh * p.china_power_usd_kwh
    subsidy = w.china.subsidies_usd_b.get("dc_power", 0.0) * 1e9 / max(supply_h100e, 1.0)
    return max(0.25 * price, price + extra_power - min(subsidy, p.domestic_power_penalty * kwh * p.china_power_usd_kwh))


def _waterfill(demand: float, supply: dict[str, float], weight: dict[str, float]) -> dict[str, float]:
    """Split `demand` over sources in proportion to weight; a source that runs out passes its excess
    to the others in the same proportions (buyers substitute)."""
    sold = {k: 0.0 for k in supply}
    active = sorted(k for k in supply if supply[k] > 0 and weight[k] > 0)
    left = demand
    while active and left > 1e-9:
        total = math.fsum(weight[k] for k in active)
        share = {k: left * weight[k] / total for k in active}
        full = [k for k in active if share[k] >= supply[k] - sold[k]]
        if not full:
            for k in active:
                sold[k] += share[k]
            break
        for k in full:
            left -= supply[k] - sold[k]
            sold[k] = supply[k]
        active = [k for k in active if k not in full]
    return sold


def clear_china_market(w: World, p: Params, rng: np.random.Generator, q: dict) -> None:
    """Who supplies China this quarter, at what price, and what is left unmet."""
    m, china, nv = w.market, w.china, w.nvidia
    pw = q["world_price"]
    policy = FOREIGN_CHIP_POLICIES.index(china.foreign_chip_policy)
    banned = china.foreign_chip_policy == "full_ban"  # covers consumer cards in data centres too
    sn = 1.0 + p.supernode_perf_gain * w.huawei.supernode_share
    fresh = q["home_chips"] * q["chip_h100e"] * sn + q["other_h100e"]
    dom_supply = fresh + w.huawei.chip_inventory_h100e
    nv_supply, nv_price, nv_perf = china_offer(w, p, q)
    loose = 1.0 + threshold_rank(w.us.threshold) * p.gray_loosening_per_step
    grey = 0.0 if banned else p.gray_leak_h100e * loose
    demand = q["china_needed"]
    uncovered = max(0.0, 1.0 - (dom_supply + nv_supply + grey) / demand) if demand > 0 else 0.0
    q["premium"] = smuggling_premium(p, uncovered, q["smuggle_mean_risk"])
    m.smuggling_premium = q["premium"]
    guidance = 0.0 if banned else p.guidance_penalty_by_policy[policy]
    sources = {
        "domestic": (dom_supply, domestic_price(w, p, q, fresh, dom_supply), q["chip_h100e"] * sn, 0.0, 0.0),
        "nvidia": (nv_supply, nv_price, nv_perf, p.cuda_bonus, guidance),
        "smuggled": (q["smuggle_offer"], pw * (1.0 + q["premium"]), flagship_h100e(p, w.quarter_index), p.cuda_bonus,
                     p.smuggled_risk_penalty + p.smuggled_ban_penalty * banned),
        "grey": (grey, pw * p.gray_price_ratio, p.gray_perf_per_chip, p.cuda_bonus, p.gray_penalty),
    }
    supply = {k: v[0] for k, v in sources.items()}
    price = {k: v[1] for k, v in sources.items()}
    weight = {}
    for k, (s, pr, perf, bonus, penalty) in sources.items():
        if s <= 0 or pr <= 0 or perf <= 0:
            weight[k] = 0.0
            continue
        u = -p.price_sensitivity * math.log(pr / pw) + p.perf_weight * math.log(perf) + bonus - penalty
        weight[k] = math.exp(max(-50.0, min(50.0, u)))
    captive = demand * p.captive_share_by_policy[policy]
    to_captive = min(dom_supply, captive)
    supply_open = {**supply, "domestic": dom_supply - to_captive}
    sold = _waterfill(demand - captive, supply_open, weight)
    sold["domestic"] += to_captive

    # domestic chips: this quarter's first, then the oldest; what is left waits (and ages)
    dom_sold = sold["domestic"]
    w.huawei.chip_inventory_h100e = max(0.0, dom_supply - dom_sold) * (1.0 - p.retire_per_quarter)
    q["domestic_h100e"] = dom_sold
    q["domestic_unsold"] = max(0.0, dom_supply - dom_sold)
    q["china_output"] = q["chips"] * q["chip_h100e"] + q["other_h100e"]

    # Nvidia: sold comes out of this quarter's China chips and the inventory alike
    nv_sold = sold["nvidia"]
    if nv_supply > 0:
        nv.unsold_china_inventory_h100e = nv_supply - nv_sold
    else:
        nv.unsold_china_inventory_h100e += q["sku_made"]
    m.cumulative_china_sku_sold_h100e += nv_sold
    q["nvidia_china_sold"] = nv_sold
    q["gray"] = sold["grey"]

    ship_smuggled(w, p, rng, q, sold["smuggled"])
    lost = sold["smuggled"] - q["smuggled"] - q["seized"]  # pro-rata rounding only
    remaining = max(0.0, demand - sum(sold.values()) + q["seized"] + lost)
    q["cloud_leak"] = cloud_leak(w, p, q, remaining)
    remaining -= q["cloud_leak"]
    q["unmet"] = max(0.0, remaining)
    bought = q["domestic_h100e"] + nv_sold + q["gray"] + q["smuggled"]
    spent = (q["domestic_h100e"] * price["domestic"] + nv_sold * nv_price + q["gray"] * price["grey"]
             + q["smuggled"] * price["smuggled"] + q["unmet"] * price["smuggled"])
    if bought + q["unmet"] > 0:
        paid = spent / (bought + q["unmet"])  # unmet buyers face the black-market price at the margin
        m.china_price_index_usd = p.china_price_smoothing * m.china_price_index_usd + (1.0 - p.china_price_smoothing) * paid
