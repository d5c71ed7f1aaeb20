"""Politics: the Dutch licence regime, what US intelligence believes about China, the US
hawk-dove balance, licence decisions, Tier-2 alignment and data-centre build-out.
"""

from __future__ import annotations

import math

import numpy as np

from wargame.chips import threshold_rank
from wargame.params import Params
from wargame.state import DIFFUSION_TIERS, INTEL_LEVELS, STANCES, TRANSSHIP, World

_DUTCH_STEPS = (
    "The Dutch government requires licences for advanced immersion DUV (NXT:2000i and up).",
    "The Dutch government extends licensing to NXT:1970i/1980i tools.",
    "Hypothetical: the Dutch government bans immersion DUV sales and servicing for China.",
)


def dutch_licences(w: World, p: Params, rng: np.random.Generator) -> None:
    """US pressure, net of ASML's lobbying of The Hague, may tighten the Dutch regime a step."""
    us, asml = w.us, w.asml
    push = max(0.0, us.pressure_netherlands - p.dutch_lobby_per_usd_m * asml.lobby_usd_m)
    hit = rng.random() < p.dutch_escalation_rate * push
    if hit and asml.dutch_restriction < 3:
        asml.dutch_restriction += 1
        w.news.append(_DUTCH_STEPS[asml.dutch_restriction - 1])


def decay_pressure(w: World, p: Params) -> None:
    """Pressure on allies fades unless renewed; applied after this quarter used it."""
    w.us.pressure_netherlands *= 1.0 - p.pressure_decay
    w.us.pressure_korea *= 1.0 - p.pressure_decay


def us_intelligence(w: World, p: Params, rng: np.random.Generator, q: dict) -> None:
    """What US analysts conclude this quarter. They see SMIC's Ascend wafer starts (with noise)
    and count them at the yield they believe, a belief that learns towards the truth faster with
    more intelligence effort; they see only part of the output built from stockpiled dies; they
    infer smuggling from seizures and add China's licensed imports, which they know exactly.
    The gap between this and the truth is the H3-H4 gap (200k against 805k Ascend in 2025)."""
    us = w.us
    level = INTEL_LEVELS.index(us.intel_effort)
    sigma = p.obs_sigma_by_intel[level]
    noise = [math.exp(sigma * rng.standard_normal() - 0.5 * sigma * sigma) for _ in range(3)]  # fixed count
    us.intel_smic_yield += p.intel_yield_learning_by_intel[level] * (w.smic.ai_yield - us.intel_smic_yield)
    counted = q["hw_wafers"] * noise[0] * p.dies_per_wafer * us.intel_smic_yield / q["dpp"]
    chips = counted + p.obs_detect_by_intel[level] * q["bank_chips"]
    q["intel_chips_before"] = us.intel_huawei_chips
    us.intel_huawei_chips = chips
    smuggled = q["seized"] / p.smuggling_assumed_seizure * noise[1]
    us.intel_smuggled_h100e = smuggled
    nominal = q["chip_h100e"] / max(q["hbm_factor"], 1e-9)
    added = chips * nominal + q["nvidia_china_sold"] + q["gray"] + smuggled
    us.intel_china_stock_h100e = us.intel_china_stock_h100e * (1.0 - p.retire_per_quarter) + added * noise[2]


def update_hawkishness(w: World, p: Params, rng: np.random.Generator, q: dict) -> None:
    """Washington's hawk-dove balance moves towards a level set by how close China looks (the US
    seat's own estimate of China's compute against its own), jumps with visible Chinese progress
    and incidents, and is pulled down by Nvidia's lobbying."""
    us = w.us
    threat = us.intel_china_stock_h100e / max(w.market.us_compute_stock_h100e, 1.0)
    target = p.hawk_anchor + p.hawk_threat_slope * math.log(max(threat, 1e-6) / p.hawk_threat_ref)
    h = us.hawkishness + p.hawk_reversion * (target - us.hawkishness)
    if q["intel_chips_before"] > 0 and us.intel_huawei_chips > 0:
        growth = math.log(us.intel_huawei_chips / q["intel_chips_before"])
        h += p.hawk_per_output_growth * max(-0.5, min(0.5, growth))
    h -= p.hawk_lobby_per_usd_m * w.nvidia.lobby_usd_m
    h += p.hawk_per_seized_10k * q["seized"] / 1e4
    if q["new_generation"]:
        h += p.hawk_breakthrough
    if w.china.mineral_curbs:
        h += p.hawk_mineral_curbs
    if q.get("proxy_detected"):
        h += p.hawk_proxy_detected
    h += p.hawk_sigma * rng.standard_normal()
    us.hawkishness = min(1.0, max(0.0, h))


def decide_licences(w: World, p: Params, rng: np.random.Generator, q: dict) -> None:
    """A pending Nvidia request is granted or denied: by the US seat if it chose, else by the
    bureaucracy with odds that fall as the administration turns hawkish."""
    nv, us = w.nvidia, w.us
    draw = rng.random()
    if not nv.licence_pending or nv.licence_requested_turn >= w.turn:
        return  # a request waits one quarter so the US seat can rule on it
    allowed = nv.china_chip != "none" and threshold_rank(nv.china_chip) <= threshold_rank(us.threshold)
    if us.licence_decision == "none":
        grant = allowed and draw < (1.0 - us.hawkishness) ** p.licence_grant_exponent
    else:
        grant = allowed and us.licence_decision == "grant"
    nv.licence_pending = False
    us.licence_decision = "none"
    if grant:
        nv.licensed_level = nv.china_chip
        w.news.append(f"The US grants Nvidia a licence to sell its {nv.china_chip} chip in China.")
    else:
        w.news.append("The US denies Nvidia's China licence request.")


def tier2_politics(w: World, p: Params, q: dict) -> None:
    """Alignment drifts to the stance, is pushed by the diffusion tier and China's offers;
    data centres grow by the chosen build rate."""
    offers = w.china.court_offers_usd_b
    for nation, t in sorted(w.tier2.items()):
        target = p.alignment_stance_targets[STANCES.index(t.stance)]
        a = t.alignment + p.alignment_stance_rate * (target - t.alignment)
        a += p.alignment_tier_effect[DIFFUSION_TIERS.index(w.us.diffusion.get(nation, "tier1"))]
        a -= p.alignment_court_per_usd_b * offers.get(nation, 0.0)
        a += p.alignment_controls_effect * TRANSSHIP.index(t.transship_controls)
        t.alignment = min(1.0, max(-1.0, a))
        t.dc_capacity_mw += t.build_mw_per_quarter
    w.china.court_offers_usd_b = {}
