"""The model's parameters as one typed object, built from a scenario's `parameters` table.

Each field is a number the mechanics read; its value, unit and source id live in the scenario
file (and docs/model.md), never in code, so a Monte Carlo run can sample any of them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    # chip performance (H100e per chip) for training and inference work
    perf_train_910B: float
    perf_infer_910B: float
    perf_train_910C: float
    perf_infer_910C: float
    perf_gain_per_generation: float
    perf_train_h20_class: float
    perf_infer_h20_class: float
    perf_train_h200_class: float
    perf_infer_h200_class: float
    perf_train_blackwell_lite: float
    perf_infer_blackwell_lite: float
    perf_train_unrestricted: float
    perf_infer_unrestricted: float
    perf_domestic_other: float
    inference_share_2023: float
    inference_share_2025: float
    inference_share_growth_per_year: float
    inference_share_max: float
    # China's supply chain
    dies_per_wafer: float
    dies_per_package_910B: float
    dies_per_package_later: float
    yield_max: float
    yield_learning_per_quarter: float
    yield_rd_half_usd_b: float
    yield_rd_boost: float
    other_ai_wafer_share: float
    other_dies_per_wafer: float
    hbm_stacks_per_chip: float
    hbm_conserve_draw_share: float
    hbm_stockpile_share: float
    hbm_gray_inflow_stacks: float
    cxmt_growth_per_quarter: float
    cxmt_subsidy_boost: float
    cxmt_subsidy_half_usd_b: float
    cxmt_hbm3_multiplier: float
    cxmt_hbm3_hazard: float
    cxmt_hbm3_earliest: str
    packaging_cap_chips: float
    packaging_growth_per_quarter: float
    smic_utilisation: float
    tools_per_kwpm: float
    capacity_lag_quarters: int
    capex_usd_b_per_kwpm: float
    entity_capex_penalty: float
    entity_yield_penalty: float
    duv_tool_price_usd_b: float
    wafer_price_usd: float
    smic_mature_revenue_usd_b: float
    smic_mature_growth_per_quarter: float
    smic_margin: float
    no_servicing_capacity_loss: float
    limited_servicing_capacity_loss: float
    domestic_litho_hazard: float
    domestic_litho_subsidy_half_usd_b: float
    domestic_litho_tools_per_quarter: float
    proxy_detect_rate: float
    proxy_max_dies: float
    proxy_max_dies_listed: float
    # Huawei technology
    next_gen_hazard: float
    next_gen_rd_ref_usd_b: float
    roadmap_910C: str
    roadmap_950: str
    roadmap_960: str
    roadmap_970: str
    rd_depreciation: float
    supernode_perf_gain: float
    # power
    kw_per_h100e_foreign: float
    domestic_power_penalty: float
    supernode_kw_per_chip: float
    pue: float
    # allied supply
    nvidia_output_first_year: int
    nvidia_output_h100e_by_year: list[float]
    nvidia_output_growth_per_year: float
    other_us_vendor_share: float
    cowos_wpm_2025: float
    cowos_growth_per_year: float
    cowos_nvidia_share: float
    h100e_per_cowos_wafer: float
    price_per_h100e_usd: float
    china_price_h20_class: float
    china_price_h200_class: float
    china_price_blackwell_lite: float
    china_price_unrestricted: float
    china_price_elasticity: float
    nvidia_other_revenue_usd_b: float
    design_lag_quarters: int
    # demand and markets
    china_demand_h100e_q1: float
    china_demand_growth_per_year: float
    nvidia_pref_open: float
    nvidia_pref_guidance: float
    nvidia_pref_state_dc_domestic: float
    nvidia_pref_full_ban: float
    power_subsidy_half_usd_b: float
    power_subsidy_pref_cut: float
    efficiency_drift_per_quarter: float
    efficiency_sigma: float
    retire_per_quarter: float
    gray_leak_h100e: float
    gray_loosening_per_step: float
    # smuggling and cloud
    premium_base: float
    premium_per_unmet: float
    premium_per_enforcement: float
    black_market_share: float
    diversion_none: float
    diversion_permits: float
    diversion_strict: float
    hub_stock_diversion_share: float
    diversion_enforcement_cut: float
    seizure_us_rate: float
    enforcement_ref_usd_m: float
    seizure_hub_none: float
    seizure_hub_permits: float
    seizure_hub_strict: float
    fragmentation_seizure_cut: float
    fragmentation_throughput_cut: float
    shipment_h100e: float
    fragmentation_shipment_cut: float
    smuggler_cost_share: float
    cloud_rentable_share: float
    cloud_kyc_cut: float
    cloud_entity_cut: float
    cloud_direct_share: float
    # politics
    hawk_anchor: float
    hawk_reversion: float
    hawk_lobby_per_usd_m: float
    hawk_per_seized_10k: float
    hawk_per_visible_huawei_100k: float
    hawk_mineral_curbs: float
    hawk_proxy_detected: float
    hawk_sigma: float
    max_hawk_h20_class: float
    max_hawk_h200_class: float
    max_hawk_blackwell_lite: float
    max_hawk_unrestricted: float
    enforcement_min_usd_m: float
    enforcement_max_base_usd_m: float
    enforcement_max_per_hawk_usd_m: float
    licence_grant_exponent: float
    mineral_curbs_us_output_cut: float
    # allies and ASML
    pressure_step: float
    pressure_decay: float
    dutch_escalation_rate: float
    dutch_lobby_per_usd_m: float
    duv_cap_by_level: list[float]
    asml_mature_china_usd_b: float
    asml_mature_cut_by_level: list[float]
    asml_service_usd_b: float
    asml_limited_service_share: float
    asml_rest_of_world_usd_b: float
    # Tier-2
    tier2_cap_h100e: float
    tier2_cap_agreement_h100e: float
    kw_per_h100e_allin: float
    alignment_stance_rate: float
    alignment_stance_targets: list[float]
    alignment_tier_effect: list[float]
    alignment_court_per_usd_b: float
    alignment_controls_effect: float
    chinese_chip_pref: list[float]
    # China budget and targets
    self_sufficiency_goal: float
    # observation (fog of war)
    obs_sigma_by_intel: list[float]
    obs_detect_by_intel: list[float]
    us_assumed_yield: float
    us_assumed_huawei_share: float
    analyst_sigma: float
    smuggling_assumed_seizure: float
