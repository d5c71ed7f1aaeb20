"""What a seat believes the world looks like: a full World built from its observation alone.

A bot that looks ahead needs a whole world to simulate, but a seat sees only part of the real
one. `belief_world` builds one from what the seat may know: the scenario (the rules, the
starting figures and the scripted events are public), its own state, the others' public fields
(the Chinese state's firms see each other's books), last quarter's visible record and its
estimates of hidden numbers. Each estimate is drawn afresh from a lognormal of the seat's
analyst sigma around it, so several belief worlds spread over what the seat does not know.
What nothing visible speaks to stays at the scenario's starting value, moved forward where the
public rules say how it drifts. The true hidden state is never read: this module takes no
session and no world.

Chip ledgers (wargame/integrity.py) count flows since the start, which no seat sees; they are
rebalanced round the believed stocks so an imagined quarter passes the same checks as a real one.
"""

from __future__ import annotations

import math

import numpy as np

from wargame.ids import parse_quarter
from wargame.metrics import CHINA_BLOC
from wargame.observation import Observation
from wargame.params import Params
from wargame.scenario import Scenario, apply_effect
from wargame.state import INTEL_LEVELS, World

# The hidden figures an observation may estimate, in a fixed order so a seat's draws never
# depend on which of them it happens to see the truth of.
ESTIMATED = ("china_compute_stock_h100e", "china_demand_h100e", "huawei_output_chips", "smic_advanced_capacity_wpm",
             "smic_yield", "smuggled_h100e")


def sees_state(observer: str, actor: str) -> bool:
    """The observer sees `actor`'s whole state: its own, or a fellow member of the Chinese state."""
    return observer == actor or (observer in CHINA_BLOC and actor in CHINA_BLOC)


def believed_figures(obs: Observation, sigma: float, rng: np.random.Generator) -> dict[str, float]:
    """Last quarter's hidden figures as the seat believes them: the truth where it may see it,
    else a draw around its estimate (mean-preserving lognormal with the analysts' sigma)."""
    z = rng.standard_normal(len(ESTIMATED)).tolist()
    out: dict[str, float] = {}
    for i, key in enumerate(ESTIMATED):
        if isinstance(obs.last_record.get(key), (int, float)):
            out[key] = float(obs.last_record[key])
        elif key in obs.estimates:
            out[key] = max(0.0, float(obs.estimates[key])) * math.exp(sigma * z[i] - 0.5 * sigma * sigma)
    return out


def _past_events(scenario: Scenario, world: World, quarter_index: int, news: list[str]) -> None:
    """Apply the scripted events up to now (public: they are in the scenario) and mark as fired
    the random ones this quarter's news reports (earlier ones the seat no longer sees)."""
    fired = []
    for ev in sorted(scenario.events, key=lambda e: parse_quarter(e.quarter)):  # stable: file order within a quarter
        if parse_quarter(ev.quarter) <= quarter_index:
            for eff in ev.effects:
                apply_effect(world, eff)
            fired.append(ev.id)
    fired += [rev.id for rev in scenario.random_events if any(rev.description in item for item in news)]
    world.events_fired = fired


def _overwrite_visible(d: dict, obs: Observation, scenario: Scenario) -> None:
    """The seat's own state and every field of the others it may see, exactly as observed."""
    for actor in scenario.actors:
        part = d["tier2"] if actor in scenario.tier2 else d
        if actor == obs.actor:
            part[actor] = dict(obs.own)
        elif actor in obs.public:
            part[actor] = {**part[actor], **obs.public[actor]}


def _future_only(pipeline: list, turn: int) -> list:
    """A prior pipeline's entries still to come: earlier ones are in the believed capacity already."""
    return [list(e) for e in pipeline if e[0] >= turn]


def _hidden_state(d: dict, obs: Observation, p: Params, prior: World, seen: dict[str, float]) -> None:
    """Fill what the seat cannot see from its believed figures and the public rules."""
    me, turn, last = obs.actor, obs.turn - 1, obs.last_record
    stock0 = prior.market.china_domestic_stock_h100e + prior.market.china_foreign_stock_h100e
    if not sees_state(me, "smic"):
        smic = d["smic"]
        if "smic_advanced_capacity_wpm" in seen:
            smic["advanced_capacity_wpm"] = seen["smic_advanced_capacity_wpm"]
        if "smic_yield" in seen:
            smic["ai_yield"] = min(p.yield_max, max(0.0, seen["smic_yield"]))
        # enough scanners to run the believed capacity (or the next quarter would cut it)
        smic["duv_tools"] = max(smic["duv_tools"], smic["advanced_capacity_wpm"] * p.tools_per_kwpm / 1000.0 * 1.001)
        smic["pipeline"] = _future_only(smic["pipeline"], turn)
    if not sees_state(me, "huawei"):
        hw = d["huawei"]
        if "huawei_output_chips" in seen and p.packaging_utilisation > 0:
            hw["packaging_capacity_chips"] = max(hw["packaging_capacity_chips"], seen["huawei_output_chips"] / p.packaging_utilisation)
        hw["packaging_pipeline"] = _future_only(hw["packaging_pipeline"], turn)
    if not sees_state(me, "china"):
        # the drift of Chinese algorithmic efficiency is a public parameter; its shocks are not seen
        d["china"]["algorithmic_efficiency"] = prior.china.algorithmic_efficiency * math.exp(p.efficiency_drift_per_quarter * turn)
    if me != "us":
        us = d["us"]
        y = seen.get("smic_yield", prior.smic.ai_yield)
        rate = p.intel_yield_learning_by_intel[INTEL_LEVELS.index(us["intel_effort"])]
        us["intel_smic_yield"] = min(1.0, max(0.0, y - (y - prior.us.intel_smic_yield) * (1.0 - rate) ** turn))
        if "huawei_output_chips" in seen:  # analysts count SMIC's wafers at the yield they believe
            us["intel_huawei_chips"] = seen["huawei_output_chips"] * min(1.0, us["intel_smic_yield"] / max(y, 1e-6))
        if "china_compute_stock_h100e" in seen and stock0 > 0:
            us["intel_china_stock_h100e"] = seen["china_compute_stock_h100e"] * prior.us.intel_china_stock_h100e / stock0
        if isinstance(last.get("seized_h100e"), (int, float)):  # seizures are public, and so is how the US reads them
            us["intel_smuggled_h100e"] = last["seized_h100e"] / p.smuggling_assumed_seizure
    if me != "nvidia":
        nv = d["nvidia"]
        nv["shipping_level"] = nv["licensed_level"] if nv["licensed_level"] == nv["china_chip"] else "none"
    if me != "smugglers" and "smuggled_h100e" in seen:
        routes, planned = d["smugglers"]["routes"], math.fsum(d["smugglers"]["routes"].values())
        moved = seen["smuggled_h100e"] + float(last.get("seized_h100e", 0.0))
        if planned > 0:
            d["smugglers"]["routes"] = {hub: v * moved / planned for hub, v in routes.items()}
    _market(d["market"], obs, p, prior, seen, stock0)


def _market(m: dict, obs: Observation, p: Params, prior: World, seen: dict[str, float], stock0: float) -> None:
    """The market's stocks, which no seat sees: from the visible record where it speaks to them."""
    last, turn = obs.last_record, obs.turn - 1
    known = {k: float(v) for k, v in last.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    if "us_compute_stock_h100e" in known:
        m["us_compute_stock_h100e"] = known["us_compute_stock_h100e"]
    if "china_compute_stock_h100e" in seen and stock0 > 0:
        scale = seen["china_compute_stock_h100e"] / stock0  # the domestic/foreign split as at the start
        m["china_domestic_stock_h100e"] *= scale
        m["china_foreign_stock_h100e"] *= scale
        m["china_fleet_power_gw"] = known.get("china_ai_power_gw", m["china_fleet_power_gw"] * scale)
    if "china_demand_h100e" in seen:
        m["china_demand_h100e"] = seen["china_demand_h100e"]
    m["smuggling_premium"] = max(0.0, known.get("smuggling_price_premium", m["smuggling_premium"]))
    m["china_price_index_usd"] = known.get("china_price_index_usd", m["china_price_index_usd"])
    if "cumulative_smuggled_h100e" in known:
        m["cumulative_smuggled_h100e"] = known["cumulative_smuggled_h100e"]
    if "huawei_hbm_inflow_stacks" in known:  # CXMT's output is the inflow less the grey Korean supply
        m["cxmt_hbm_stacks"] = max(0.0, known["huawei_hbm_inflow_stacks"] - p.hbm_gray_inflow_stacks * (1.0 - prior.us.pressure_korea))
    else:
        m["cxmt_hbm_stacks"] *= (1.0 + p.cxmt_growth_per_quarter) ** turn


def _balance_ledgers(d: dict, initial: World) -> None:
    """Set the flows since the start so the conservation ledgers hold round the believed stocks
    (the smallest non-negative flows that do; the real ones are hidden from every seat)."""
    m, m0 = d["market"], initial.market
    bank, bank0 = d["huawei"]["die_bank"], initial.huawei.die_bank
    dies_in = max(0.0, bank - bank0)
    m["cumulative_dies_in"] = m0.cumulative_dies_in + dies_in
    m["cumulative_dies_packaged"] = m0.cumulative_dies_packaged + bank0 + dies_in - bank
    m["cumulative_dies_scrapped"] = m0.cumulative_dies_scrapped
    inv, inv0 = d["nvidia"]["unsold_china_inventory_h100e"], initial.nvidia.unsold_china_inventory_h100e
    made = max(0.0, inv - inv0)
    m["cumulative_china_sku_made_h100e"] = m0.cumulative_china_sku_made_h100e + made
    m["cumulative_china_sku_sold_h100e"] = m0.cumulative_china_sku_sold_h100e + inv0 + made - inv
    m["cumulative_china_sku_resold_h100e"] = m0.cumulative_china_sku_resold_h100e
    m["cumulative_chips_packaged"] = m["cumulative_chips_exported"] + m["cumulative_chips_home"]


def belief_world(scenario: Scenario, obs: Observation, rng: np.random.Generator, params: Params | None = None) -> World:
    """A World as `obs.actor` believes it to be when it observed `obs`, with hidden figures drawn
    from `rng`. It reads the scenario and the observation only (`params` defaults to the
    scenario's: a seat does not know a Monte Carlo draw)."""
    p = params or scenario.params()
    prior = scenario.start_world()
    quarter_index = parse_quarter(obs.quarter)
    world = prior.model_copy(deep=True)
    _past_events(scenario, world, quarter_index, list(obs.news))
    d = world.model_dump()
    d.update(turn=obs.turn - 1, quarter_index=quarter_index, news=list(obs.news))
    _overwrite_visible(d, obs, scenario)
    seen = believed_figures(obs, p.analyst_sigma, rng)
    _hidden_state(d, obs, p, prior, seen)
    _balance_ledgers(d, scenario.initial)
    return World.model_validate(d)
