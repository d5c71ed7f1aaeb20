"""The model's parameters as one typed object, built from a scenario's `parameters` table.

Each field is a number the mechanics read; its value, unit, source id and (where uncertain) its
distribution live in the scenario file and docs/model.md, never in code, so a Monte Carlo run
can sample any of them. Lists indexed by a state's levels follow that level's order in
wargame/state.py (e.g. servicing: full, limited, none).
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
    flagship_perf_growth_per_year: float
    inference_share_2023: float
    inference_share_2025: float
    inference_share_growth_per_year: float
    inference_share_max: float
    # China's supply chain: SMIC
    smic_utilisation: float
    tools_per_kwpm: float
    tool_loss_by_servicing: list[float]
    capacity_lag_quarters: int
    capex_usd_b_per_kwpm: float
    entity_capex_penalty: float
    entity_yield_penalty: float
    duv_tool_price_usd_b: float
    wafer_price_usd: float
    smic_mature_revenue_usd_b: float
    smic_mature_growth_per_quarter: float
    smic_margin: float
    dies_per_wafer: float
    yield_max: float
    yield_learning_per_quarter: float
    yield_rd_half_usd_b: float
    yield_rd_boost: float
    yield_learning_by_servicing: list[float]
    other_ai_wafer_share: float
    other_dies_per_wafer: float
    domestic_litho_hazard: float
    domestic_litho_subsidy_half_usd_b: float
    domestic_litho_tools_per_quarter: float
    # China's supply chain: Huawei, HBM, packaging
    dies_per_package_910B: float
    dies_per_package_later: float
    die_obsolescence_per_quarter: float
    hbm_stacks_per_chip: float
    hbm_min_stacks_per_chip: float
    hbm_perf_exponent: float
    hbm_draw_share: float
    hbm_conserve_draw_share: float
    hbm_stockpile_share: float
    hbm_gray_inflow_stacks: float
    cxmt_growth_per_quarter: float
    cxmt_subsidy_boost: float
    cxmt_subsidy_half_usd_b: float
    cxmt_tool_factor_by_level: list[float]
    cxmt_entity_factor: float
    cxmt_scanner_elasticity: float
    cxmt_hbm3_multiplier: float
    cxmt_hbm3_hazard: float
    cxmt_hbm3_earliest: str
    packaging_capex_usd_per_chip_quarter: float
    packaging_lag_quarters: int
    packaging_depreciation: float
    packaging_max_growth_per_quarter: float
    packaging_utilisation: float
    huawei_budget_usd_b: float
    proxy_detect_rate: float
    proxy_max_dies: float
    proxy_max_dies_listed: float
    next_gen_hazard: float
    next_gen_rd_ref_usd_b: float
    roadmap_910C: str
    roadmap_950: str
    roadmap_960: str
    roadmap_970: str
    rd_depreciation: float
    supernode_perf_gain: float
    supernode_power_overhead: float
    # power
    kw_per_h100e_foreign: float
    power_per_h100e_decline_per_year: float
    allin_power_overhead: float
    domestic_power_penalty: float
    pue: float
    accelerator_life_years: float
    china_power_usd_kwh: float
    # allied supply and Nvidia
    cowos_first_year: int
    cowos_wpm_q4_by_year: list[float]
    cowos_growth_per_year: float
    cowos_nvidia_share: float
    h100e_per_cowos_wafer: float
    cowos_h100e_growth_per_year: float
    world_demand_usd_b_2025q1: float
    world_demand_growth_2025: float
    world_demand_growth_decay: float
    other_us_vendor_share: float
    price_per_h100e_usd: float
    price_decline_per_year: float
    china_price_h20_class: float
    china_price_h200_class: float
    china_price_blackwell_lite: float
    china_price_unrestricted: float
    nvidia_other_revenue_usd_b: float
    nvidia_china_other_revenue_usd_b: float
    design_lag_quarters: int
    china_inventory_resale_sellable: float
    china_inventory_resale_blocked: float
    china_inventory_salvage: float
    mineral_curbs_us_output_cut: float
    # China's market
    china_spend_usd_b_2025q1: float
    china_spend_growth_2025: float
    china_spend_growth_decay: float
    china_price_elasticity: float
    china_price_smoothing: float
    price_sensitivity: float
    perf_weight: float
    cuda_bonus: float
    guidance_penalty_by_policy: list[float]
    captive_share_by_policy: list[float]
    smuggled_risk_penalty: float
    smuggled_ban_penalty: float
    ascend_price_per_h100e_usd: float
    ascend_price_decline_per_year: float
    domestic_clearance_discount: float
    gray_leak_h100e: float
    gray_loosening_per_step: float
    gray_price_ratio: float
    gray_perf_per_chip: float
    gray_penalty: float
    efficiency_drift_per_quarter: float
    efficiency_sigma: float
    retire_per_quarter: float
    # smuggling and cloud
    premium_base: float
    premium_per_unmet: float
    premium_per_risk: float
    diversion_by_controls: list[float]
    hub_stock_diversion_share: float
    diversion_enforcement_cut: float
    shell_cover_share: float
    shell_controls_factor: list[float]
    seizure_us_rate: float
    seizure_hub_by_controls: list[float]
    enforcement_ref_usd_m: float
    fragmentation_seizure_cut: float
    fragmentation_throughput_cut: float
    shipment_h100e: float
    fragmentation_shipment_cut: float
    smuggler_cost_share: float
    smuggler_leverage: float
    cloud_rentable_share: float
    cloud_kyc_cut: float
    cloud_entity_cut: float
    cloud_direct_share: float
    # politics
    hawk_anchor: float
    hawk_reversion: float
    hawk_threat_slope: float
    hawk_threat_ref: float
    hawk_per_output_growth: float
    hawk_breakthrough: float
    hawk_lobby_per_usd_m: float
    hawk_per_seized_10k: float
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
    # allies and ASML
    pressure_step: float
    pressure_decay: float
    dutch_escalation_rate: float
    dutch_lobby_per_usd_m: float
    duv_cap_by_level: list[float]
    asml_mature_china_usd_b: float
    asml_mature_subsidy_boost: float
    asml_mature_subsidy_half_usd_b: float
    asml_mature_cut_by_level: list[float]
    asml_service_usd_b: float
    asml_service_share_by_servicing: list[float]
    asml_rest_of_world_usd_b: float
    asml_rest_of_world_growth_per_year: float
    # Tier-2
    tier2_cap_h100e: float
    tier2_cap_agreement_h100e: float
    alignment_stance_rate: float
    alignment_stance_targets: list[float]
    alignment_tier_effect: list[float]
    alignment_court_per_usd_b: float
    alignment_controls_effect: float
    chinese_chip_pref: list[float]
    # China budget and targets
    self_sufficiency_goal: float
    # quarterly shocks (lognormal spread of each multiplier)
    shock_sigma_yield: float
    shock_sigma_packaging: float
    shock_sigma_cowos: float
    shock_sigma_world_demand: float
    shock_sigma_china_spend: float
    shock_sigma_smic_mature: float
    shock_sigma_asml_mature: float
    # observation (fog of war) and US intelligence
    obs_sigma_by_intel: list[float]
    obs_detect_by_intel: list[float]
    intel_yield_learning_by_intel: list[float]
    analyst_sigma: float
    smuggling_assumed_seizure: float
