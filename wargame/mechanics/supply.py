"""China's supply chain: tools -> SMIC capacity -> wafers -> yield -> dies -> HBM cap -> chips.

Also the technology clocks that move it (yield learning, Ascend generations, domestic
lithography, CXMT HBM) and ASML's tool deliveries and China revenue. Every function mutates
the working copy of the world handed to it by the adjudicator and writes its flows to `q`.
"""

from __future__ import annotations

import math

import numpy as np

from wargame.chips import dies_per_package, huawei_chip_h100e, years_since_2025
from wargame.ids import format_quarter, parse_quarter
from wargame.params import Params
from wargame.state import HUAWEI_GENERATIONS, INTEL_LEVELS, World


def _hazard_hit(rng: np.random.Generator, rate: float) -> bool:
    """One draw of a breakthrough whose quarterly hazard is `rate` (p = 1 - e^-rate)."""
    return bool(rng.random() < 1.0 - math.exp(-max(0.0, rate)))


def deliver_tools_and_capacity(w: World, p: Params, q: dict) -> None:
    """ASML deliveries within the Dutch licence cap, domestic tools, fab ramps, servicing losses."""
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
    ready = [e for e in smic.pipeline if e[0] <= w.turn]
    smic.pipeline = [e for e in smic.pipeline if e[0] > w.turn]
    smic.advanced_capacity_wpm += math.fsum(e[1] for e in ready)
    loss = {"full": 0.0, "limited": p.limited_servicing_capacity_loss,
            "none": p.no_servicing_capacity_loss}[asml.servicing]
    smic.advanced_capacity_wpm *= 1.0 - loss


def advance_technology(w: World, p: Params, rng: np.random.Generator, q: dict) -> None:
    """Yield learning, Huawei's next generation, SiCarrier lithography, CXMT HBM."""
    smic, hw, china, market = w.smic, w.huawei, w.china, w.market
    rd = min(smic.yield_rd_usd_b, smic.cash_usd_b)
    smic.cash_usd_b -= rd
    learn = p.yield_learning_per_quarter * (1.0 + p.yield_rd_boost * rd / (rd + p.yield_rd_half_usd_b))
    if w.asml.servicing == "none":
        learn *= 0.5
    if "smic_fabs" in w.us.entity_list:
        learn *= p.entity_yield_penalty
    smic.ai_yield = min(p.yield_max, smic.ai_yield + (p.yield_max - smic.ai_yield) * learn)

    hw.rd_stock_usd_b = hw.rd_stock_usd_b * (1.0 - p.rd_depreciation) + hw.rd_usd_b
    idx = HUAWEI_GENERATIONS.index(hw.generation)
    if idx + 1 < len(HUAWEI_GENERATIONS):
        nxt = HUAWEI_GENERATIONS[idx + 1]
        roadmap = getattr(p, f"roadmap_{nxt}", None)
        earliest = parse_quarter(roadmap) if roadmap else w.quarter_index
        rate = p.next_gen_hazard * hw.rd_stock_usd_b / p.next_gen_rd_ref_usd_b
        # draw every quarter so the dice stay aligned whatever the gate says
        hit = _hazard_hit(rng, rate)
        if w.quarter_index >= earliest and hit:
            hw.generation = nxt
            w.news.append(f"Huawei brings up the Ascend {nxt} ({format_quarter(w.quarter_index)}).")

    litho_sub = china.subsidies_usd_b.get("lithography", 0.0)
    hit = _hazard_hit(rng, p.domestic_litho_hazard * (1.0 + litho_sub / p.domestic_litho_subsidy_half_usd_b))
    if not market.domestic_litho and hit:
        market.domestic_litho = True
        w.news.append("Hypothetical: a domestic immersion scanner (SiCarrier) enters volume use.")

    hbm_sub = china.subsidies_usd_b.get("hbm", 0.0)
    growth = p.cxmt_growth_per_quarter + p.cxmt_subsidy_boost * hbm_sub / (hbm_sub + p.cxmt_subsidy_half_usd_b)
    if "cxmt" in w.us.entity_list:
        growth *= 0.5
    market.cxmt_hbm_stacks *= 1.0 + growth
    hit = _hazard_hit(rng, p.cxmt_hbm3_hazard * (1.0 + hbm_sub / p.cxmt_subsidy_half_usd_b))
    if not market.cxmt_hbm3 and w.quarter_index >= parse_quarter(p.cxmt_hbm3_earliest) and hit:
        market.cxmt_hbm3 = True
        market.cxmt_hbm_stacks *= p.cxmt_hbm3_multiplier
        w.news.append("CXMT reaches volume HBM3.")


def produce_chips(w: World, p: Params, q: dict) -> None:
    """Wafers -> good dies -> packages, capped by HBM and packaging; the die bank buffers."""
    smic, hw, market = w.smic, w.huawei, w.market
    usable_wpm = smic.advanced_capacity_wpm * p.smic_utilisation
    hw_wpm = min(hw.wafer_order_wpm, usable_wpm * smic.huawei_share)
    hw_wafers = 3.0 * hw_wpm
    other_wafers = 3.0 * usable_wpm * (1.0 - smic.huawei_share) * p.other_ai_wafer_share
    good_dies = hw_wafers * p.dies_per_wafer * smic.ai_yield
    market.cumulative_dies_in += good_dies
    pool = hw.die_bank + good_dies

    inflow = market.cxmt_hbm_stacks + p.hbm_gray_inflow_stacks * (1.0 - w.us.pressure_korea)
    if hw.hbm_policy == "stockpile":
        kept = p.hbm_stockpile_share * inflow
        usable_hbm, hw.hbm_stock = inflow - kept, hw.hbm_stock + kept
    else:
        share = 1.0 if hw.hbm_policy == "draw" else p.hbm_conserve_draw_share
        usable_hbm = inflow + share * hw.hbm_stock
        hw.hbm_stock *= 1.0 - share
    dpp = dies_per_package(p, hw.generation)
    pack_cap = p.packaging_cap_chips * (1.0 + p.packaging_growth_per_quarter) ** (4 * years_since_2025(w.quarter_index))
    chips = max(0.0, min(pool / dpp, usable_hbm / p.hbm_stacks_per_chip, pack_cap))
    hw.die_bank = max(0.0, pool - chips * dpp)
    hw.hbm_stock += usable_hbm - chips * p.hbm_stacks_per_chip  # unused HBM goes back to stock
    market.cumulative_dies_packaged += chips * dpp
    market.cumulative_chips_packaged += chips
    smic_chips = min(chips, good_dies / dpp)
    detect = p.obs_detect_by_intel[INTEL_LEVELS.index(w.us.intel_effort)]
    # US analysts count SMIC's advanced capacity at an assumed Huawei share and yield (H3)
    counted = 3.0 * usable_wpm * p.us_assumed_huawei_share * p.dies_per_wafer * p.us_assumed_yield / dpp
    q["us_visible_chips"] = counted + detect * (chips - smic_chips)
    q.update(
        hw_wafers=hw_wafers, other_wafers=other_wafers, good_dies=good_dies, chips=chips,
        smic_chips=smic_chips, bank_chips=chips - smic_chips,
        hbm_usable=usable_hbm, pack_cap=pack_cap, dpp=dpp,
        advanced_wafers=hw_wafers + 3.0 * usable_wpm * (1.0 - smic.huawei_share),
        chip_h100e=huawei_chip_h100e(p, hw.generation, w.quarter_index),
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
        w.news.append(f"US authorities uncover a proxy purchase of {dies:,.0f} foreign-made dies for Huawei; the proxies are listed.")
        w.us.entity_list = sorted(set(w.us.entity_list) | {"huawei_proxies"})
    else:
        hw.die_bank += dies
        w.market.cumulative_dies_in += dies


def run_smic_books(w: World, p: Params, q: dict) -> None:
    """SMIC revenue from mature and advanced wafers; cash from margin and Beijing's fab subsidy."""
    smic = w.smic
    mature = p.smic_mature_revenue_usd_b * (1.0 + p.smic_mature_growth_per_quarter) ** (4 * years_since_2025(w.quarter_index))
    revenue = mature + q["advanced_wafers"] * p.wafer_price_usd / 1e9
    smic.cash_usd_b += revenue * p.smic_margin + w.china.subsidies_usd_b.get("fab_capacity", 0.0)
    q["smic_revenue"] = revenue


def run_asml_books(w: World, p: Params, q: dict) -> None:
    asml = w.asml
    service = {"full": 1.0, "limited": p.asml_limited_service_share, "none": 0.0}[asml.servicing] * p.asml_service_usd_b
    china = (q["duv_delivered"] * p.duv_tool_price_usd_b
             + p.asml_mature_china_usd_b * p.asml_mature_cut_by_level[asml.dutch_restriction] + service)
    q["asml_china_revenue"] = china
    q["asml_china_share"] = china / (china + p.asml_rest_of_world_usd_b)
