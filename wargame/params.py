"""The model's parameters as one typed object, built from a scenario's `parameters` table.

Each field is a number the mechanics read; its value, unit, source id and (where uncertain) its
distribution live in the scenario file and docs/model.md, never in code, so a Monte Carlo run
can sample any of them. Lists indexed by a state's levels follow that level's order in
wargame/state.py (e.g. servicing: full, limited, none).

Every field declares the range the mechanics can handle (`_in(lo, hi)`, closed), so a scenario
that loads always plays: divisors, prices and capacities have a positive floor, shares and
quarterly rates lie in [0, 1], per-year ratios and growth rates are bounded so that 100 years of
compounding stay finite. `describe(name)` says the range in words for error messages.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, get_args, get_origin

from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from wargame.state import DIFFUSION_TIERS, FOREIGN_CHIP_POLICIES, INTEL_LEVELS, SERVICING, STANCES, TRANSSHIP

# The years a game may be set in (start, end, roadmap dates): the mechanics compound per-year
# ratios from 2025, and this keeps every power of them finite.
FIRST_YEAR, LAST_YEAR = 2000, 2100
DUTCH_LEVELS: tuple[str, ...] = ("0", "1", "2", "3")  # ASMLState.dutch_restriction
GUIDED_POLICIES: tuple[str, ...] = FOREIGN_CHIP_POLICIES[:3]  # a full ban excludes Nvidia outright
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
# the terms of each actor's score, in the order wargame.metrics.score weighs them
SCORE_TERMS: dict[str, tuple[str, ...]] = {
    "us": ("compute_lead", "nvidia_revenue", "tier2_alignment"),
    "china": ("self_sufficiency_goal", "demand_met", "compute_gap"),
    "nvidia": ("net_revenue", "china_share"),
    "huawei": ("domestic_share", "exports"),
    "smic": ("revenue", "yield_progress"),
    "tier2": ("datacentres_filled", "non_alignment"),
}


def quarter_problem(text: object) -> str | None:
    """Why `text` is not a quarter inside the game's years, or None."""
    m = _QUARTER.match(text) if isinstance(text, str) else None
    if m is None:
        return f"{text!r} is not a quarter (allowed: YYYYQn with n = 1..4, e.g. 2026Q3)"
    if not FIRST_YEAR <= int(m.group(1)) <= LAST_YEAR:
        return f"{text} is outside the years {FIRST_YEAR}..{LAST_YEAR}"
    return None


def _quarter(v: str) -> str:
    problem = quarter_problem(v)
    if problem:
        raise ValueError(problem)
    return v


Quarter = Annotated[str, AfterValidator(_quarter)]


def _in(lo: float, hi: float) -> Any:
    return Field(ge=lo, le=hi)


def _levels(names: tuple[str, ...], lo: float, hi: float) -> Any:
    """One number per level, in the level's order in wargame/state.py."""
    return Annotated[list[Annotated[float, Field(ge=lo, le=hi)]],
                     Field(min_length=len(names), max_length=len(names), description=", ".join(names))]


def _series(min_len: int, max_len: int, lo: float, hi: float) -> Any:
    return Annotated[list[Annotated[float, Field(ge=lo, le=hi)]], Field(min_length=min_len, max_length=max_len)]


class Params(BaseModel):
    # strict: a number is a number, never "1.5" or true
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)

    # chip performance (H100e per chip) for training and inference work
    perf_train_910B: float = _in(0.01, 100)
    perf_infer_910B: float = _in(0.01, 100)
    perf_train_910C: float = _in(0.01, 100)
    perf_infer_910C: float = _in(0.01, 100)
    perf_gain_per_generation: float = _in(0.5, 5)
    perf_train_h20_class: float = _in(0.01, 100)
    perf_infer_h20_class: float = _in(0.01, 100)
    perf_train_h200_class: float = _in(0.01, 100)
    perf_infer_h200_class: float = _in(0.01, 100)
    perf_train_blackwell_lite: float = _in(0.01, 100)
    perf_infer_blackwell_lite: float = _in(0.01, 100)
    perf_train_unrestricted: float = _in(0.01, 100)
    perf_infer_unrestricted: float = _in(0.01, 100)
    perf_domestic_other: float = _in(0, 100)
    flagship_perf_growth_per_year: float = _in(0.5, 3)
    inference_share_2023: float = _in(0, 1)
    inference_share_2025: float = _in(0, 1)
    inference_share_growth_per_year: float = _in(-1, 1)
    inference_share_max: float = _in(0, 1)
    # China's supply chain: SMIC
    smic_utilisation: float = _in(0, 1)
    tools_per_kwpm: float = _in(0.1, 100)
    tool_loss_by_servicing: _levels(SERVICING, 0, 1)
    capacity_lag_quarters: int = _in(0, 40)
    capex_usd_b_per_kwpm: float = _in(0.001, 100)
    entity_capex_penalty: float = _in(1, 10)
    entity_yield_penalty: float = _in(0, 1)
    duv_tool_price_usd_b: float = _in(0.001, 10)
    wafer_price_usd: float = _in(100, 1e+06)
    smic_mature_revenue_usd_b: float = _in(0, 1000)
    smic_mature_growth_per_quarter: float = _in(-0.2, 0.2)
    smic_margin: float = _in(0, 1)
    dies_per_wafer: float = _in(1, 10000)
    yield_max: float = _in(0.01, 1)
    yield_learning_per_quarter: float = _in(0, 1)
    yield_rd_half_usd_b: float = _in(0.001, 1000)
    yield_rd_boost: float = _in(0, 100)
    yield_learning_by_servicing: _levels(SERVICING, 0, 1)
    other_ai_wafer_share: float = _in(0, 1)
    other_dies_per_wafer: float = _in(0, 10000)
    domestic_litho_hazard: float = _in(0, 1)
    domestic_litho_subsidy_half_usd_b: float = _in(0.001, 1000)
    domestic_litho_tools_per_quarter: float = _in(0, 1000)
    # China's supply chain: Huawei, HBM, packaging
    dies_per_package_910B: float = _in(1, 16)
    dies_per_package_later: float = _in(1, 16)
    die_obsolescence_per_quarter: float = _in(0, 1)
    hbm_stacks_per_chip: float = _in(0.1, 64)
    hbm_min_stacks_per_chip: float = _in(0.1, 64)
    hbm_perf_exponent: float = _in(0, 2)
    hbm_draw_share: float = _in(0, 1)
    hbm_conserve_draw_share: float = _in(0, 1)
    hbm_stockpile_share: float = _in(0, 1)
    hbm_gray_inflow_stacks: float = _in(0, 1e+09)
    cxmt_growth_per_quarter: float = _in(-0.5, 1)
    cxmt_subsidy_boost: float = _in(0, 1)
    cxmt_subsidy_half_usd_b: float = _in(0.001, 1000)
    cxmt_tool_factor_by_level: _levels(DUTCH_LEVELS, 0, 1)
    cxmt_entity_factor: float = _in(0, 1)
    cxmt_scanner_elasticity: float = _in(0, 3)
    cxmt_hbm3_multiplier: float = _in(1, 10)
    cxmt_hbm3_hazard: float = _in(0, 1)
    cxmt_hbm3_earliest: Quarter
    packaging_capex_usd_per_chip_quarter: float = _in(1, 1e+07)
    packaging_lag_quarters: int = _in(0, 40)
    packaging_depreciation: float = _in(0, 1)
    packaging_max_growth_per_quarter: float = _in(0, 1)
    packaging_utilisation: float = _in(0, 1)
    huawei_budget_usd_b: float = _in(0, 1000)
    proxy_detect_rate: float = _in(0, 10)
    proxy_max_dies: float = _in(0, 1e+09)
    proxy_max_dies_listed: float = _in(0, 1e+09)
    next_gen_hazard: float = _in(0, 1)
    next_gen_rd_ref_usd_b: float = _in(0.001, 10000)
    roadmap_910C: Quarter
    roadmap_950: Quarter
    roadmap_960: Quarter
    roadmap_970: Quarter
    rd_depreciation: float = _in(0, 1)
    supernode_perf_gain: float = _in(0, 2)
    supernode_power_overhead: float = _in(0, 10)
    # power
    kw_per_h100e_foreign: float = _in(0.01, 10)
    power_per_h100e_decline_per_year: float = _in(0.3, 1.5)
    allin_power_overhead: float = _in(1, 10)
    domestic_power_penalty: float = _in(1, 5)
    pue: float = _in(1, 5)
    accelerator_life_years: float = _in(0.5, 20)
    china_power_usd_kwh: float = _in(0, 1)
    # allied supply and Nvidia
    cowos_first_year: int = _in(2000, 2100)
    cowos_wpm_q4_by_year: _series(1, 50, 1, 1e8)
    cowos_growth_per_year: float = _in(0.5, 3)
    cowos_nvidia_share: float = _in(0, 1)
    h100e_per_cowos_wafer: float = _in(0.1, 10000)
    cowos_h100e_growth_per_year: float = _in(0.5, 3)
    world_demand_usd_b_2025q1: float = _in(0, 100000)
    world_demand_growth_2025: float = _in(1, 5)
    world_demand_growth_decay: float = _in(0.1, 1)
    other_us_vendor_share: float = _in(0, 10)
    price_per_h100e_usd: float = _in(100, 1e+07)
    price_decline_per_year: float = _in(0.3, 1.5)
    china_price_h20_class: float = _in(100, 1e+07)
    china_price_h200_class: float = _in(100, 1e+07)
    china_price_blackwell_lite: float = _in(100, 1e+07)
    china_price_unrestricted: float = _in(100, 1e+07)
    nvidia_other_revenue_usd_b: float = _in(0, 10000)
    nvidia_china_other_revenue_usd_b: float = _in(0, 10000)
    design_lag_quarters: int = _in(0, 40)
    china_inventory_resale_sellable: float = _in(0, 1)
    china_inventory_resale_blocked: float = _in(0, 1)
    china_inventory_salvage: float = _in(0, 1)
    mineral_curbs_us_output_cut: float = _in(0, 1)
    # China's market
    china_spend_usd_b_2025q1: float = _in(0, 100000)
    china_spend_growth_2025: float = _in(1, 5)
    china_spend_growth_decay: float = _in(0.1, 1)
    china_price_elasticity: float = _in(0, 2)
    china_price_smoothing: float = _in(0, 1)
    price_sensitivity: float = _in(0, 10)
    perf_weight: float = _in(0, 5)
    cuda_bonus: float = _in(0, 5)
    guidance_penalty_by_policy: _levels(GUIDED_POLICIES, 0, 10)
    captive_share_by_policy: _levels(FOREIGN_CHIP_POLICIES, 0, 1)
    smuggled_risk_penalty: float = _in(0, 10)
    smuggled_ban_penalty: float = _in(0, 10)
    ascend_price_per_h100e_usd: float = _in(100, 1e+07)
    ascend_price_decline_per_year: float = _in(0.3, 1.5)
    domestic_clearance_discount: float = _in(0, 10)
    gray_leak_h100e: float = _in(0, 1e+08)
    gray_loosening_per_step: float = _in(0, 5)
    gray_price_ratio: float = _in(0.01, 10)
    gray_perf_per_chip: float = _in(0.01, 100)
    gray_penalty: float = _in(0, 10)
    efficiency_drift_per_quarter: float = _in(-0.1, 0.1)
    efficiency_sigma: float = _in(0, 0.5)
    retire_per_quarter: float = _in(0, 1)
    # smuggling and cloud
    premium_base: float = _in(0, 10)
    premium_per_unmet: float = _in(0, 10)
    premium_per_risk: float = _in(0, 10)
    diversion_by_controls: _levels(TRANSSHIP, 0, 1)
    hub_stock_diversion_share: float = _in(0, 1)
    diversion_enforcement_cut: float = _in(0, 10)
    shell_cover_share: float = _in(0, 1)
    shell_controls_factor: _levels(TRANSSHIP, 0, 1)
    seizure_us_rate: float = _in(0, 1)
    seizure_hub_by_controls: _levels(TRANSSHIP, 0, 1)
    enforcement_ref_usd_m: float = _in(1, 100000)
    fragmentation_seizure_cut: float = _in(0, 1)
    fragmentation_throughput_cut: float = _in(0, 1)
    shipment_h100e: float = _in(1, 1e+06)
    fragmentation_shipment_cut: float = _in(0, 0.99)
    smuggler_cost_share: float = _in(0, 1)
    smuggler_leverage: float = _in(0, 100)
    cloud_rentable_share: float = _in(0, 1)
    cloud_kyc_cut: float = _in(0, 1)
    cloud_entity_cut: float = _in(0, 1)
    cloud_direct_share: float = _in(0, 1)
    # politics
    hawk_anchor: float = _in(0, 1)
    hawk_reversion: float = _in(0, 1)
    hawk_threat_slope: float = _in(0, 5)
    hawk_threat_ref: float = _in(0.001, 100)
    hawk_per_output_growth: float = _in(0, 5)
    hawk_breakthrough: float = _in(0, 1)
    hawk_lobby_per_usd_m: float = _in(0, 1)
    hawk_per_seized_10k: float = _in(0, 1)
    hawk_mineral_curbs: float = _in(0, 1)
    hawk_proxy_detected: float = _in(0, 1)
    hawk_sigma: float = _in(0, 1)
    max_hawk_h20_class: float = _in(0, 1)
    max_hawk_h200_class: float = _in(0, 1)
    max_hawk_blackwell_lite: float = _in(0, 1)
    max_hawk_unrestricted: float = _in(0, 1)
    enforcement_min_usd_m: float = _in(0, 100000)
    enforcement_max_base_usd_m: float = _in(0, 100000)
    enforcement_max_per_hawk_usd_m: float = _in(0, 100000)
    licence_grant_exponent: float = _in(0, 10)
    # allies and ASML
    pressure_step: float = _in(0, 1)
    pressure_decay: float = _in(0, 1)
    dutch_escalation_rate: float = _in(0, 1)
    dutch_lobby_per_usd_m: float = _in(0, 10)
    duv_cap_by_level: _levels(DUTCH_LEVELS, 0, 1000)
    asml_mature_china_usd_b: float = _in(0, 10000)
    asml_mature_subsidy_boost: float = _in(0, 10)
    asml_mature_subsidy_half_usd_b: float = _in(0.001, 10000)
    asml_mature_cut_by_level: _levels(DUTCH_LEVELS, 0, 1)
    asml_service_usd_b: float = _in(0, 10000)
    asml_service_share_by_servicing: _levels(SERVICING, 0, 1)
    asml_rest_of_world_usd_b: float = _in(0.01, 100000)
    asml_rest_of_world_growth_per_year: float = _in(0.5, 3)
    # Tier-2
    tier2_cap_h100e: float = _in(0, 1e+09)
    tier2_cap_agreement_h100e: float = _in(0, 1e+09)
    alignment_stance_rate: float = _in(0, 1)
    alignment_stance_targets: _levels(STANCES, -1, 1)
    alignment_tier_effect: _levels(DIFFUSION_TIERS, -1, 1)
    alignment_court_per_usd_b: float = _in(0, 1)
    alignment_controls_effect: float = _in(-1, 1)
    chinese_chip_pref: _levels(STANCES, 0, 1)
    # China budget and targets
    self_sufficiency_goal: float = _in(0.01, 1)
    # quarterly shocks (lognormal spread of each multiplier)
    shock_sigma_yield: float = _in(0, 1)
    shock_sigma_packaging: float = _in(0, 1)
    shock_sigma_cowos: float = _in(0, 1)
    shock_sigma_world_demand: float = _in(0, 1)
    shock_sigma_china_spend: float = _in(0, 1)
    shock_sigma_smic_mature: float = _in(0, 1)
    shock_sigma_asml_mature: float = _in(0, 1)
    # observation (fog of war) and US intelligence
    obs_sigma_by_intel: _levels(INTEL_LEVELS, 0, 2)
    obs_detect_by_intel: _levels(INTEL_LEVELS, 0, 1)
    intel_yield_learning_by_intel: _levels(INTEL_LEVELS, 0, 1)
    analyst_sigma: float = _in(0, 2)
    smuggling_assumed_seizure: float = _in(0.01, 1)
    # each actor's objectives (wargame.metrics.score): the weight of each term, summing to 1
    score_weights_us: _levels(SCORE_TERMS["us"], 0, 1)
    score_weights_china: _levels(SCORE_TERMS["china"], 0, 1)
    score_weights_nvidia: _levels(SCORE_TERMS["nvidia"], 0, 1)
    score_weights_huawei: _levels(SCORE_TERMS["huawei"], 0, 1)
    score_weights_smic: _levels(SCORE_TERMS["smic"], 0, 1)
    score_weights_tier2: _levels(SCORE_TERMS["tier2"], 0, 1)

    @model_validator(mode="after")
    def _ordered(self) -> Params:
        for lesser, greater in ORDERED:
            if getattr(self, lesser) > getattr(self, greater):
                raise ValueError(f"{lesser} must not exceed {greater}")
        for name in SCORE_WEIGHTS:
            problem = weights_problem(getattr(self, name))
            if problem:
                raise ValueError(f"{name} {problem}")
        return self


SCORE_WEIGHTS: tuple[str, ...] = ("score_weights_us", "score_weights_china", "score_weights_nvidia", "score_weights_huawei",
                                  "score_weights_smic", "score_weights_tier2")


def weights_problem(weights: list[float]) -> str | None:
    """A score's weights must sum to 1, so every score stays within 0..1."""
    total = math.fsum(weights)
    return None if abs(total - 1.0) <= 1e-9 else f"must sum to 1 (they sum to {total:g})"


# (a, b): a <= b, or the mechanics divide the wrong way round
ORDERED: tuple[tuple[str, str], ...] = (("hbm_min_stacks_per_chip", "hbm_stacks_per_chip"),)


def bounds(name: str) -> tuple[float, float] | None:
    """(lo, hi) of a numeric scalar parameter, or of each item of a list parameter."""
    field = Params.model_fields[name]
    metadata = field.metadata
    if get_origin(field.annotation) is list:
        (item,) = get_args(field.annotation)
        metadata = list(get_args(item)[1:]) if get_origin(item) is Annotated else []
        metadata = [m for f in metadata for m in getattr(f, "metadata", [f])]
    lo = next((m.ge for m in metadata if isinstance(m, Ge)), None)
    hi = next((m.le for m in metadata if isinstance(m, Le)), None)
    return None if lo is None or hi is None else (lo, hi)


def list_length(name: str) -> tuple[int, int] | None:
    """(min, max) items of a list parameter; None for a scalar."""
    field = Params.model_fields[name]
    if get_origin(field.annotation) is not list:
        return None
    lo = next(m.min_length for m in field.metadata if isinstance(m, MinLen))
    hi = next(m.max_length for m in field.metadata if isinstance(m, MaxLen))
    return lo, hi


def _g(x: float) -> str:
    return f"{x:g}"


def describe(name: str) -> str:
    """The allowed values of a parameter in words, e.g. `a number from 0 to 1`."""
    field = Params.model_fields[name]
    if field.annotation is str:
        return f"a quarter such as 2026Q3, in the years {FIRST_YEAR}..{LAST_YEAR}"
    lo, hi = bounds(name) or (None, None)
    span = f"from {_g(lo)} to {_g(hi)}"
    if field.annotation is int:
        return f"an integer {span}"
    n = list_length(name)
    if n is None:
        return f"a number {span}"
    count = str(n[0]) if n[0] == n[1] else f"{n[0]} to {n[1]}"
    levels = f": {field.description}" if field.description else ""
    return f"a list of {count} numbers, each {span}{levels}"
