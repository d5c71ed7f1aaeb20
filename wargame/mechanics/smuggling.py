"""Smuggling and the cloud leak: what the networks can move through each Tier-2 hub, what it
costs buyers (the black-market premium), what is seized, and compute rented abroad.

Three ways round the rules (DESIGN §4): chips diverted from a hub's legal imports or pulled from
its installed stock; chips bought worldwide by shell companies that use a hub's data-centre
capacity as cover (X3, X5); and remote access to Nvidia servers in hubs that admit Chinese
tenants (X6). Each is cut by the hub's transshipment controls and by US enforcement (X7).
"""

from __future__ import annotations

import math

import numpy as np

from wargame.chips import kw_per_h100e
from wargame.params import Params
from wargame.state import TRANSSHIP, World


def enforcement_intensity(w: World, p: Params) -> float:
    """US enforcement relative to the FY2025 BIS budget (X7); returns diminish (square root)."""
    return math.sqrt(w.us.enforcement_budget_usd_m / p.enforcement_ref_usd_m)


def seizure_probability(w: World, p: Params, hub: str, intensity: float) -> float:
    """Chance that one shipment through `hub` is caught: US enforcement (`enforcement_intensity`)
    plus the hub's own checks, less what fragmentation into small parcels hides."""
    controls = TRANSSHIP.index(w.tier2[hub].transship_controls)
    rate = p.seizure_us_rate * intensity + p.seizure_hub_by_controls[controls]
    return 1.0 - math.exp(-rate * (1.0 - p.fragmentation_seizure_cut * w.smugglers.fragmentation))


def route_capacity(w: World, p: Params, hub: str, legal_imports: float, intensity: float,
                   kw_allin: float) -> tuple[float, float]:
    """H100e a quarter the networks could move through `hub`: (diverted from its imports and
    stock, bought worldwide by shell companies using its data-centre capacity as cover).
    `intensity` is enforcement_intensity, `kw_allin` a data centre's kW per H100e (the
    quarter's, shared by every hub)."""
    t = w.tier2[hub]
    controls = TRANSSHIP.index(t.transship_controls)
    cut = 1.0 + p.diversion_enforcement_cut * max(0.0, intensity - 1.0)
    diverted = p.diversion_by_controls[controls] * (legal_imports + p.hub_stock_diversion_share * t.compute_stock_h100e)
    room = t.dc_capacity_mw * 1000.0 / kw_allin
    shell = p.shell_cover_share * p.shell_controls_factor[controls] * room
    return diverted / cut, shell / cut


def smuggling_premium(p: Params, uncovered: float, risk: float) -> float:
    """Black-market markup over list: scarcity (the share of this quarter's demand that legal and
    domestic supply leave uncovered) and the expected loss to seizure priced in (X4)."""
    return p.premium_base + p.premium_per_unmet * uncovered + p.premium_per_risk * risk


def plan_smuggling(w: World, p: Params, q: dict) -> None:
    """What the networks offer this quarter: their routes, within each hub's capacity and their
    (leveraged) capital, thinned by fragmentation; and the odds of seizure on each route."""
    sm = w.smugglers
    planned, risk, from_hub = {}, {}, {}
    intensity = enforcement_intensity(w, p)
    kw_allin = kw_per_h100e(p, w.quarter_index) * p.allin_power_overhead
    for hub, volume in sorted(sm.routes.items()):
        if sm.lying_low or hub not in w.tier2:
            continue
        diverted, shell = route_capacity(w, p, hub, q["tier2_purchases"].get(hub, 0.0), intensity, kw_allin)
        planned[hub] = min(volume, diverted + shell) * (1.0 - p.fragmentation_throughput_cut * sm.fragmentation)
        from_hub[hub] = diverted / (diverted + shell) if diverted + shell > 0 else 0.0
        risk[hub] = seizure_probability(w, p, hub, intensity)
    total = math.fsum(planned.values())
    capital_cap = sm.capital_usd_b * p.smuggler_leverage * 1e9 / q["world_price"]
    scale = min(1.0, capital_cap / total) if total > 0 else 0.0
    planned = {h: v * scale for h, v in planned.items()}
    total = math.fsum(planned.values())
    mean_risk = math.fsum(planned[h] * risk[h] for h in planned) / total if total > 0 else (
        math.fsum(risk.values()) / len(risk) if risk else 0.0)
    q.update(smuggle_planned=planned, smuggle_risk=risk, smuggle_from_hub=from_hub, smuggle_offer=total,
             smuggle_mean_risk=mean_risk)


def _caught(rng: np.random.Generator, n: int, risk: float) -> int:
    """Shipments caught of n, each with probability `risk`: a binomial draw. numpy's takes n below
    2**63; beyond 2**62 shipments (chips all but free in a far-future hypothetical, so a route
    carries astronomical volumes) its normal limit is exact to a double's precision."""
    if n < 2**62:
        return int(rng.binomial(n, risk))
    if risk <= 0.0 or risk >= 1.0:
        return 0 if risk <= 0.0 else n
    return min(n, max(0, round(n * risk + math.sqrt(n * risk * (1.0 - risk)) * rng.standard_normal())))


def ship_smuggled(w: World, p: Params, rng: np.random.Generator, q: dict, bought: float) -> None:
    """Buyers ordered `bought` H100e on the black market: ship it pro rata over the planned routes,
    in shipments, each caught with the hub's probability. Seized chips never arrive."""
    sm, m = w.smugglers, w.market
    planned, offer = q["smuggle_planned"], q["smuggle_offer"]
    scale = min(1.0, bought / offer) if offer > 0 else 0.0
    size = p.shipment_h100e * (1.0 - p.fragmentation_shipment_cut * sm.fragmentation)
    shipped, seized = {}, {}
    for hub in sorted(w.tier2):
        v = planned.get(hub, 0.0) * scale
        n = math.ceil(v / size) if v > 0 else 0
        k = _caught(rng, n, q["smuggle_risk"][hub]) if n else 0  # no draw for an empty route
        shipped[hub], seized[hub] = v, min(v, k * size)
    q["smuggled_by_hub"] = {h: shipped[h] - seized[h] for h in shipped}
    # what a hub lost from its own imports and stock; the rest was bought worldwide by shells
    q["diverted_by_hub"] = {h: shipped[h] * q["smuggle_from_hub"].get(h, 0.0) for h in shipped}
    q["shell_bought"] = math.fsum(shipped[h] - q["diverted_by_hub"][h] for h in shipped)
    q["seized"] = math.fsum(seized.values())
    q["smuggled"] = math.fsum(q["smuggled_by_hub"].values())
    price = q["world_price"] / 1e9
    profit = q["smuggled"] * price * (1.0 + q["premium"]) - math.fsum(shipped.values()) * price * (1.0 + p.smuggler_cost_share)
    q["smuggler_profit"] = profit
    sm.capital_usd_b = max(0.0, sm.capital_usd_b + profit)
    m.cumulative_smuggled_h100e += q["smuggled"]


def cloud_leak(w: World, p: Params, q: dict, remaining: float) -> float:
    """Compute rented abroad (X6): hubs that admit Chinese tenants, cut by US cloud KYC and
    listing; some unmet buyers rent directly, the networks broker more."""
    capacity = math.fsum(
        t.compute_stock_h100e * p.cloud_rentable_share for t in w.tier2.values() if t.admit_chinese_tenants
    )
    if w.us.cloud_kyc:
        capacity *= 1.0 - p.cloud_kyc_cut
    if "chinese_cloud" in w.us.entity_list:
        capacity *= 1.0 - p.cloud_entity_cut
    wanted = remaining * p.cloud_direct_share + w.smugglers.cloud_broker_h100e
    return max(0.0, min(capacity, wanted, remaining))
