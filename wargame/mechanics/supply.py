"""China's supply chain: tools -> SMIC capacity -> wafers -> yield -> dies -> HBM -> packaging -> chips.

Each link is a stock or a flow that some seat's move changes: ASML's deliveries and servicing
keep SMIC's scanners running, SMIC adds capacity and funds yield learning, Beijing's directive
gives Huawei its share of wafers, Huawei releases HBM from its stock and builds packaging lines,
and CXMT's HBM output grows with subsidies and with the scanners its DRAM fabs can get. Chinese
AI-chip output is the minimum of what the dies, the HBM and the packaging lines allow.

Every function mutates the working copy of the world handed to it by the adjudicator and writes
its flows to `q`.
"""

from __future__ import annotations

import math

import numpy as np

from wargame.chips import dies_per_package, huawei_chip_h100e
from wargame.ids import format_quarter, parse_quarter
from wargame.params import Params
from wargame.state import HUAWEI_GENERATIONS, SERVICING, World


def _hazard_hit(rng: np.random.Generator, rate: float) -> bool:
    """One draw of a breakthrough whose quarterly hazard is `rate` (p = 1 - e^-rate)."""
    return bool(rng.random() < 1.0 - math.exp(-max(0.0, rate)))


def deliver_tools_and_capacity(w: World, p: Params, q: dict) -> None:
    """ASML deliveries within the Dutch licence cap, domestic tools, fab ramps; scanners that are
    not serviced break down, and capacity cannot run on scanners that are gone."""
    smic, asml = w.smic, w.asml
    level_cap = p.duv_cap_by_level[asml.dutch_restriction]
    if asml.dutch_restriction >= 3:
        asml.servicing = "none"
    affordable = smic.cash_usd_b / p.duv_tool_price_usd_b
    delivered = max(0.0, min(smic.tools_on_order, asml.duv_sales_cap, level_cap, affordable))
    smic.tools_on_order -= delivered
    smic.duv_tools += delivered
    smic.cash_usd_b = max(0.0, smic.cash_usd_b - delivered * p.duv_tool_price_usd_b)
    q["duv_delivered"] = delivered
    if w.market.domestic_litho:
        smic.duv_tools += p.domestic_litho_tools_per_quarter
    smic.duv_tools *= 1.0 - p.tool_loss_by_servicing[SERVICING.index(asml.servicing)]
    ready = [e for e in smic.pipeline if e[0] <= w.turn]
    smic.pipeline = [e for e in smic.pipeline if e[0] > w.turn]
    smic.advanced_capacity_wpm += math.fsum(e[1] for e in ready)
    runnable = smic.duv_tools * 1000.0 / p.tools_per_kwpm
    smic.advanced_capacity_wpm = min(smic.advanced_capacity_wpm, runnable)


def advance_technology(w: World, p: Params, rng: np.random.Generator, q: dict) -> None:
    """Yield learning, Huawei's next generation, SiCarrier lithography, CXMT HBM."""
    smic, hw, china, market = w.smic, w.huawei, w.china, w.market
    servicing = SERVICING.index(w.asml.servicing)
    rd = min(smic.yield_rd_usd_b, smic.cash_usd_b)
    smic.cash_usd_b -= rd
    learn = p.yield_learning_per_quarter * (1.0 + p.yield_rd_boost * rd / (rd + p.yield_rd_half_usd_b))
    learn *= p.yield_learning_by_servicing[servicing]
    if "smic_fabs" in w.us.entity_list:
        learn *= p.entity_yield_penalty
    learn *= q["shock"]["yield"]  # process excursions and lucky fixes
    smic.ai_yield = min(p.yield_max, smic.ai_yield + (p.yield_max - smic.ai_yield) * min(1.0, learn))

    spent = min(hw.rd_usd_b, p.huawei_budget_usd_b)
    hw.rd_stock_usd_b = hw.rd_stock_usd_b * (1.0 - p.rd_depreciation) + spent
    idx = HUAWEI_GENERATIONS.index(hw.generation)
    if idx + 1 < len(HUAWEI_GENERATIONS):
        nxt = HUAWEI_GENERATIONS[idx + 1]
        earliest = parse_quarter(getattr(p, f"roadmap_{nxt}"))
        rate = p.next_gen_hazard * hw.rd_stock_usd_b / p.next_gen_rd_ref_usd_b
        # draw every quarter so the dice stay aligned whatever the gate says
        hit = _hazard_hit(rng, rate)
        q["new_generation"] = w.quarter_index >= earliest and hit
        if q["new_generation"]:
            hw.generation = nxt
            w.news.append(f"Hypothetical: Huawei brings up the Ascend {nxt} ({format_quarter(w.quarter_index)}).")
    else:
        rng.random()
        q["new_generation"] = False

    litho_sub = china.subsidies_usd_b.get("lithography", 0.0)
    hit = _hazard_hit(rng, p.domestic_litho_hazard * (1.0 + litho_sub / p.domestic_litho_subsidy_half_usd_b))
    if not market.domestic_litho and hit:
        market.domestic_litho = True
        w.news.append("Hypothetical: a domestic immersion scanner (SiCarrier) enters volume use.")

    # CXMT's DRAM fabs run on the same scanners: tighter Dutch licences, fewer scanners sold to
    # China and no servicing all slow its HBM ramp
    hbm_sub = china.subsidies_usd_b.get("hbm", 0.0)
    growth = p.cxmt_growth_per_quarter + p.cxmt_subsidy_boost * hbm_sub / (hbm_sub + p.cxmt_subsidy_half_usd_b)
    growth *= p.cxmt_tool_factor_by_level[w.asml.dutch_restriction] * p.yield_learning_by_servicing[servicing]
    level_cap = p.duv_cap_by_level[w.asml.dutch_restriction]
    if level_cap > 0:
        growth *= (min(w.asml.duv_sales_cap, level_cap) / level_cap) ** p.cxmt_scanner_elasticity
    if "cxmt" in w.us.entity_list:
        growth *= p.cxmt_entity_factor
    market.cxmt_hbm_stacks *= 1.0 + growth
    hit = _hazard_hit(rng, p.cxmt_hbm3_hazard * (1.0 + hbm_sub / p.cxmt_subsidy_half_usd_b))
    if not market.cxmt_hbm3 and w.quarter_index >= parse_quarter(p.cxmt_hbm3_earliest) and hit:
        market.cxmt_hbm3 = True
        market.cxmt_hbm_stacks *= p.cxmt_hbm3_multiplier
        w.news.append("Hypothetical: CXMT reaches volume HBM3.")


def build_packaging(w: World, p: Params, q: dict) -> None:
    """Huawei's packaging lines: this quarter's spend becomes capacity after a lag; lines wear out.
    What Huawei spends on packaging comes out of the same budget as its Ascend R&D, and unspent
    money is not charged (lines qualify only so fast: at most a set share of capacity a quarter)."""
    hw = w.huawei
    ready = [e for e in hw.packaging_pipeline if e[0] <= w.turn]
    hw.packaging_pipeline = [e for e in hw.packaging_pipeline if e[0] > w.turn]
    hw.packaging_capacity_chips = hw.packaging_capacity_chips * (1.0 - p.packaging_depreciation) + math.fsum(e[1] for e in ready)
    # money buys lines, but new lines qualify only so fast: a quarter adds at most a set share
    ceiling = p.packaging_max_growth_per_quarter * hw.packaging_capacity_chips * p.packaging_capex_usd_per_chip_quarter / 1e9
    spend = min(hw.packaging_invest_usd_b, max(0.0, p.huawei_budget_usd_b - hw.rd_usd_b), ceiling)
    if spend > 0:
        chips = spend * 1e9 / p.packaging_capex_usd_per_chip_quarter
        hw.packaging_pipeline = hw.packaging_pipeline + [[float(w.turn + p.packaging_lag_quarters), chips]]


def hbm_inflow(w: World, p: Params) -> float:
    """New HBM this quarter: CXMT's output and what still leaks from Korea (less under US pressure)."""
    return w.market.cxmt_hbm_stacks + p.hbm_gray_inflow_stacks * (1.0 - w.us.pressure_korea)


def hbm_released(w: World, p: Params) -> tuple[float, float]:
    """HBM stacks Huawei may use this quarter and the change to its stockpile before use: the new
    supply plus a smoothed draw on the pre-ban stockpile (H9), or part of the supply put aside."""
    hw = w.huawei
    inflow = hbm_inflow(w, p)
    if hw.hbm_policy == "stockpile":
        kept = p.hbm_stockpile_share * inflow
        return inflow - kept, kept
    share = p.hbm_draw_share if hw.hbm_policy == "draw" else p.hbm_conserve_draw_share
    return inflow + share * hw.hbm_stock, -share * hw.hbm_stock


def produce_chips(w: World, p: Params, q: dict) -> None:
    """Wafers -> good dies -> packages. Chips = min(dies, packaging lines, HBM at the floor of
    stacks per chip); HBM short of the full complement is spread thinner, which costs
    performance (memory-bound work), so both the dies and the HBM always matter."""
    smic, hw, market = w.smic, w.huawei, w.market
    usable_wpm = smic.advanced_capacity_wpm * p.smic_utilisation
    hw_wpm = min(hw.wafer_order_wpm, usable_wpm * smic.huawei_share)
    hw_wafers = 3.0 * hw_wpm
    other_wafers = 3.0 * usable_wpm * (1.0 - smic.huawei_share) * p.other_ai_wafer_share
    good_dies = hw_wafers * p.dies_per_wafer * smic.ai_yield
    market.cumulative_dies_in += good_dies
    pool = hw.die_bank + good_dies

    usable_hbm, kept = hbm_released(w, p)
    q["hbm_inflow"] = hbm_inflow(w, p)
    hw.hbm_stock = max(0.0, hw.hbm_stock + kept)
    dpp = dies_per_package(p, hw.generation)
    lines = hw.packaging_capacity_chips * min(1.0, p.packaging_utilisation * q["shock"]["packaging"])
    limits = {"dies": pool / dpp, "packaging": lines, "hbm": usable_hbm / p.hbm_min_stacks_per_chip}
    binding = min(limits, key=limits.get)
    chips = max(0.0, limits[binding])
    stacks = min(p.hbm_stacks_per_chip, usable_hbm / chips) if chips > 0 else p.hbm_stacks_per_chip
    hbm_factor = (stacks / p.hbm_stacks_per_chip) ** p.hbm_perf_exponent
    if binding != "hbm" and stacks < p.hbm_stacks_per_chip:
        binding += "+hbm"  # chips bound elsewhere, and each carries less than its full HBM
    leftover = pool - chips * dpp
    scrapped = leftover * p.die_obsolescence_per_quarter
    hw.die_bank = max(0.0, leftover - scrapped)
    hw.hbm_stock = max(0.0, hw.hbm_stock + (usable_hbm - chips * stacks))  # unused HBM back to stock (no -1e-11 dust)
    market.cumulative_dies_packaged += chips * dpp
    market.cumulative_dies_scrapped += scrapped
    market.cumulative_chips_packaged += chips
    smic_chips = min(chips, good_dies / dpp)
    q.update(
        hw_wafers=hw_wafers, other_wafers=other_wafers, good_dies=good_dies, chips=chips,
        smic_chips=smic_chips, bank_chips=chips - smic_chips,
        hbm_usable=usable_hbm, hbm_per_chip=stacks, hbm_factor=hbm_factor, binding=binding, dpp=dpp,
        advanced_wafers=hw_wafers + 3.0 * usable_wpm * (1.0 - smic.huawei_share),
        chip_h100e=huawei_chip_h100e(p, hw.generation, w.quarter_index) * hbm_factor,
        other_chips=other_wafers * p.other_dies_per_wafer * smic.ai_yield,
        other_h100e=other_wafers * p.other_dies_per_wafer * smic.ai_yield * p.perf_domestic_other,
    )


def procure_through_proxies(w: World, p: Params, rng: np.random.Generator, q: dict) -> None:
    """Huawei's risky order of foreign-made dies: delivered to the die bank, or caught."""
    hw = w.huawei
    dies, hw.proxy_order_dies = hw.proxy_order_dies, 0.0
    intensity = w.us.enforcement_budget_usd_m / p.enforcement_ref_usd_m
    if "huawei_proxies" in w.us.entity_list:
        intensity *= 2.0
    caught = bool(rng.random() < 1.0 - math.exp(-p.proxy_detect_rate * intensity * dies / 1e5))
    q["proxy_detected"] = caught and dies > 0
    if dies <= 0:
        return
    if caught:
        w.news.append(f"Hypothetical: US authorities uncover a proxy purchase of {dies:,.0f} foreign-made dies for Huawei; the proxies are listed.")
        w.us.entity_list = sorted(set(w.us.entity_list) | {"huawei_proxies"})
    else:
        hw.die_bank += dies
        w.market.cumulative_dies_in += dies


def run_smic_books(w: World, p: Params, q: dict) -> None:
    """SMIC revenue from mature and advanced wafers; cash from margin and Beijing's fab subsidy."""
    smic = w.smic
    years = (w.quarter_index - 2025 * 4) / 4.0
    mature = p.smic_mature_revenue_usd_b * (1.0 + p.smic_mature_growth_per_quarter) ** (4 * years) * q["shock"]["smic_mature"]
    revenue = mature + q["advanced_wafers"] * p.wafer_price_usd / 1e9
    smic.cash_usd_b += revenue * p.smic_margin + w.china.subsidies_usd_b.get("fab_capacity", 0.0)
    q["smic_revenue"] = revenue


def run_asml_books(w: World, p: Params, q: dict) -> None:
    """ASML's China sales (SMIC's scanners, mature fabs' tools, servicing) against its sales
    elsewhere, which grow with the world's chip build-out (A1)."""
    asml = w.asml
    years = (w.quarter_index - 2025 * 4) / 4.0
    fab = w.china.subsidies_usd_b.get("fab_capacity", 0.0)
    mature = (p.asml_mature_china_usd_b * (1.0 + p.asml_mature_subsidy_boost * fab / (fab + p.asml_mature_subsidy_half_usd_b))
              * p.asml_mature_cut_by_level[asml.dutch_restriction] * q["shock"]["asml_mature"])
    service = p.asml_service_share_by_servicing[SERVICING.index(asml.servicing)] * p.asml_service_usd_b
    china = q["duv_delivered"] * p.duv_tool_price_usd_b + mature + service
    rest = p.asml_rest_of_world_usd_b * p.asml_rest_of_world_growth_per_year ** years
    q["asml_china_revenue"] = china
    q["asml_china_share"] = china / (china + rest)
