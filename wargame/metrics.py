"""The per-turn record: DESIGN §5's contract keys, a few extras, and each actor's score.

Scores are each actor's own objectives on a rough 0..1 scale (documented in docs/model.md);
they let bots and facilitators compare quarters, not actors with one another.
"""

from __future__ import annotations

import math

from wargame.chips import kw_per_h100e
from wargame.params import Params
from wargame.state import THRESHOLDS, World

CONTRACT_KEYS: tuple[str, ...] = (
    "us_compute_stock_h100e", "china_compute_stock_h100e", "tier2_compute_stock_h100e",
    "us_ai_chip_output_h100e", "china_ai_chip_output_h100e", "us_china_output_ratio",
    "us_china_stock_ratio", "china_self_sufficiency", "china_unmet_demand_h100e",
    "smuggled_h100e", "seized_h100e", "cloud_leak_h100e", "smuggling_price_premium",
    "china_ai_power_gw", "nvidia_revenue_usd_b", "nvidia_china_revenue_usd_b",
    "nvidia_china_share", "huawei_output_chips", "huawei_exports_chips",
    "smic_advanced_capacity_wpm", "smic_yield", "smic_revenue_usd_b",
    "asml_china_revenue_usd_b", "asml_china_share", "us_hawkishness",
)
EXTRA_KEYS: tuple[str, ...] = (
    "us_compute_additions_h100e", "china_compute_additions_h100e", "tier2_compute_additions_h100e",
    "china_domestic_additions_h100e", "china_demand_h100e", "china_grey_imports_h100e",
    "algorithmic_efficiency", "smuggler_profit_usd_b", "us_export_fee_usd_b",
    "nvidia_datacenter_revenue_usd_b", "smic_ai_wafers_per_month", "china_domestic_chips",
    "cumulative_smuggled_h100e", "global_compute_stock_h100e", "nvidia_lobbying_usd_m",
    "nvidia_china_sales_h100e", "nvidia_china_inventory_h100e", "nvidia_writedown_usd_b",
    "huawei_packaging_capacity_chips", "huawei_die_bank_dies", "huawei_hbm_stock_stacks", "huawei_hbm_per_chip",
    "huawei_output_limit", "china_price_index_usd", "china_latent_demand_h100e", "smuggling_capacity_h100e",
    "us_enforcement_budget_usd_m", "us_threshold_rank", "us_intel_huawei_chips", "huawei_hbm_inflow_stacks",
    "nvidia_china_total_revenue_usd_b",
)
# Record keys whose value is text, not a number (which input binds Huawei's output this quarter).
TEXT_KEYS: tuple[str, ...] = ("huawei_output_limit",)
# Hidden from every observer but the owner (fog of war); everything else in a record is public.
HIDDEN_KEYS: dict[str, str] = {
    "smuggled_h100e": "smugglers",
    "cloud_leak_h100e": "smugglers",
    "smuggler_profit_usd_b": "smugglers",
    "cumulative_smuggled_h100e": "smugglers",
    "global_compute_stock_h100e": "china",  # minus the public US and Tier-2 stocks it would reveal China's
    "smic_ai_wafers_per_month": "smic",
    "china_domestic_chips": "huawei",
    "huawei_output_chips": "huawei",
    "huawei_exports_chips": "huawei",
    "china_ai_chip_output_h100e": "huawei",
    "china_domestic_additions_h100e": "huawei",
    "smic_yield": "smic",
    "smic_advanced_capacity_wpm": "smic",
    "china_compute_stock_h100e": "china",
    "china_compute_additions_h100e": "china",
    "china_self_sufficiency": "china",
    "china_unmet_demand_h100e": "china",
    "china_demand_h100e": "china",
    "china_grey_imports_h100e": "china",
    "algorithmic_efficiency": "china",
    "china_ai_power_gw": "china",
    "us_china_output_ratio": "china",
    "us_china_stock_ratio": "china",
    "huawei_die_bank_dies": "huawei",
    "huawei_hbm_stock_stacks": "huawei",
    "huawei_hbm_per_chip": "huawei",
    "huawei_output_limit": "huawei",
    "huawei_hbm_inflow_stacks": "huawei",
    "huawei_packaging_capacity_chips": "huawei",
    "china_price_index_usd": "china",
    "china_latent_demand_h100e": "china",
    "smuggling_capacity_h100e": "smugglers",
    "nvidia_china_inventory_h100e": "nvidia",
    "nvidia_writedown_usd_b": "nvidia",
    "us_intel_huawei_chips": "us",
}
# The Chinese state sees its own firms' books.
CHINA_BLOC = ("china", "huawei", "smic")


def _ratio(a: float, b: float) -> float:
    """US / China with the denominator floored at one H100e so the ratio stays finite."""
    return a / max(b, 1.0)


def _saturating(x: float, ref: float) -> float:
    """x / (x + ref): 0.5 at the reference level, rising towards 1 without a ceiling to hit."""
    return x / (x + ref) if x > 0 else 0.0


def score(actor: str, w: World, p: Params, r: dict) -> float:
    """Each actor's objectives this quarter, each term in 0..1, weighted by the scenario's
    `score_weights_*` parameters (which sum to 1; ASML's and the smugglers' have one term)."""
    if actor in w.tier2:
        t = w.tier2[actor]
        room = t.dc_capacity_mw * 1000.0 / (kw_per_h100e(p, w.quarter_index) * p.allin_power_overhead)
        filled = (t.compute_stock_h100e + t.chinese_chips_h100e) / room if room > 0 else 1.0
        k = p.score_weights_tier2
        return k[0] * min(1.0, filled) + k[1] * (1.0 - abs(t.alignment))
    nvidia_ref = p.world_demand_usd_b_2025q1 + p.nvidia_other_revenue_usd_b
    if actor == "us":
        lead = 0.5 + 0.5 * math.tanh(math.log(max(r["us_china_stock_ratio"], 1e-9)) / math.log(10.0))
        allies = 0.5 + 0.5 * math.fsum(t.alignment for t in w.tier2.values()) / max(1, len(w.tier2))
        k = p.score_weights_us
        return k[0] * lead + k[1] * _saturating(r["nvidia_revenue_usd_b"], nvidia_ref) + k[2] * allies
    if actor == "china":
        goal = min(1.0, r["china_self_sufficiency"] / p.self_sufficiency_goal)
        needed = r["china_demand_h100e"]
        supplied = 1.0 - r["china_unmet_demand_h100e"] / needed if needed > 0 else 1.0
        gap = 1.0 / (1.0 + r["us_china_stock_ratio"] / 10.0)
        k = p.score_weights_china
        return k[0] * goal + k[1] * max(0.0, supplied) + k[2] * gap
    if actor == "nvidia":
        net = r["nvidia_revenue_usd_b"] - r["us_export_fee_usd_b"]  # the US revenue share is a cost
        k = p.score_weights_nvidia
        return k[0] * _saturating(net, nvidia_ref) + k[1] * r["nvidia_china_share"]
    if actor == "huawei":
        adds = r["china_compute_additions_h100e"]
        share = r["china_domestic_additions_h100e"] / adds if adds > 0 else 0.0
        exports = r["huawei_exports_chips"] / max(r["huawei_output_chips"], 1.0)
        k = p.score_weights_huawei
        return k[0] * share + k[1] * exports
    if actor == "smic":
        k = p.score_weights_smic
        return k[0] * _saturating(r["smic_revenue_usd_b"], p.smic_mature_revenue_usd_b) + k[1] * r["smic_yield"] / p.yield_max
    if actor == "asml":
        return _saturating(r["asml_china_revenue_usd_b"], p.asml_mature_china_usd_b + p.asml_service_usd_b)
    if actor == "smugglers":
        return 0.5 + 0.5 * math.tanh(r["smuggler_profit_usd_b"])
    raise KeyError(actor)


_PLAIN = {float, int, str, bool}  # a record's value types that need no conversion


def build_record(w: World, p: Params, q: dict, quarter: str, turn: int, actors: tuple[str, ...]) -> dict:
    m = w.market
    china_stock = m.china_domestic_stock_h100e + m.china_foreign_stock_h100e
    china_adds = q["domestic_h100e"] + q["foreign_h100e"]
    r = {
        "turn": turn,
        "quarter": quarter,
        "us_compute_stock_h100e": m.us_compute_stock_h100e,
        "china_compute_stock_h100e": china_stock,
        "tier2_compute_stock_h100e": math.fsum(t.compute_stock_h100e + t.chinese_chips_h100e for t in w.tier2.values()),
        "us_ai_chip_output_h100e": q["us_output"],
        "china_ai_chip_output_h100e": q["china_output"],
        "us_china_output_ratio": _ratio(q["us_output"], q["china_output"]),
        "us_china_stock_ratio": _ratio(m.us_compute_stock_h100e, china_stock),
        "china_self_sufficiency": q["domestic_h100e"] / china_adds if china_adds > 0 else 0.0,
        "china_unmet_demand_h100e": q["unmet"],
        "smuggled_h100e": q["smuggled"],
        "seized_h100e": q["seized"],
        "cloud_leak_h100e": q["cloud_leak"],
        "smuggling_price_premium": m.smuggling_premium,
        "china_ai_power_gw": m.china_fleet_power_gw,
        "nvidia_revenue_usd_b": q["nvidia_revenue"],
        "nvidia_china_revenue_usd_b": q["nvidia_china_revenue"],
        "nvidia_china_share": (q["nvidia_china_sold"] + q["smuggled"]) / china_adds if china_adds > 0 else 0.0,
        "huawei_output_chips": q["chips"],
        "huawei_exports_chips": q["exports"],
        "smic_advanced_capacity_wpm": w.smic.advanced_capacity_wpm,
        "smic_yield": w.smic.ai_yield,
        "smic_revenue_usd_b": q["smic_revenue"],
        "asml_china_revenue_usd_b": q["asml_china_revenue"],
        "asml_china_share": q["asml_china_share"],
        "us_hawkishness": w.us.hawkishness,
        "us_compute_additions_h100e": q["us_additions"],
        "china_compute_additions_h100e": china_adds,
        "tier2_compute_additions_h100e": q["tier2_additions"],
        "china_domestic_additions_h100e": q["domestic_h100e"],
        "china_demand_h100e": m.china_demand_h100e,
        "china_grey_imports_h100e": q["gray"],
        "algorithmic_efficiency": w.china.algorithmic_efficiency,
        "smuggler_profit_usd_b": q["smuggler_profit"],
        "us_export_fee_usd_b": q["export_fee_paid"],
        "nvidia_datacenter_revenue_usd_b": q["nvidia_revenue"] - p.nvidia_other_revenue_usd_b,
        "smic_ai_wafers_per_month": (q["hw_wafers"] + q["other_wafers"]) / 3.0,
        "china_domestic_chips": q["chips"] + q["other_chips"],
        "cumulative_smuggled_h100e": m.cumulative_smuggled_h100e,
        "nvidia_lobbying_usd_m": w.nvidia.lobby_usd_m,
        "nvidia_china_sales_h100e": q["nvidia_china_sold"],
        "nvidia_china_inventory_h100e": w.nvidia.unsold_china_inventory_h100e,
        "nvidia_writedown_usd_b": q["nvidia_writedown"],
        "huawei_packaging_capacity_chips": w.huawei.packaging_capacity_chips,
        "huawei_die_bank_dies": w.huawei.die_bank,
        "huawei_hbm_stock_stacks": w.huawei.hbm_stock,
        "huawei_hbm_per_chip": q["hbm_per_chip"],
        "huawei_output_limit": q["binding"],
        "china_price_index_usd": m.china_price_index_usd,
        "china_latent_demand_h100e": q["china_latent"],
        "smuggling_capacity_h100e": q["smuggle_offer"],
        "us_enforcement_budget_usd_m": w.us.enforcement_budget_usd_m,
        "us_threshold_rank": THRESHOLDS.index(w.us.threshold),
        "us_intel_huawei_chips": w.us.intel_huawei_chips,
        "huawei_hbm_inflow_stacks": q["hbm_inflow"],
        "nvidia_china_total_revenue_usd_b": q["nvidia_china_revenue"] + p.nvidia_china_other_revenue_usd_b,
    }
    r["global_compute_stock_h100e"] = r["us_compute_stock_h100e"] + china_stock + r["tier2_compute_stock_h100e"]
    for nation, t in sorted(w.tier2.items()):
        r[f"tier2_alignment_{nation}"] = t.alignment
    for actor in actors:
        r[f"score_{actor}"] = score(actor, w, p, r)
    if set(map(type, r.values())) <= _PLAIN:  # one pass in C; float(v) of a float is v itself
        return r
    return {k: (float(v) if isinstance(v, float) else v) for k, v in r.items()}  # numpy floats -> float
