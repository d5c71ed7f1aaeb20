"""Resolve one quarter: a pure function of (world, parameters, dice) -> (new world, record).

The order follows the causal chain of DESIGN §3 step 5: tools and capacity, technology,
politics abroad, packaging and production, allied supply, Tier-2 and smuggling supply, China's
market (demand, prices, who supplies it, seizures, the cloud), stocks, books, then what US
intelligence concludes and how Washington reacts.
"""

from __future__ import annotations

import numpy as np

from wargame.ids import format_quarter
from wargame.mechanics import allied, china_market, politics, shocks, smuggling, stocks, supply
from wargame.metrics import build_record
from wargame.params import Params
from wargame.state import World, validated_copy


def adjudicate(
    world: World, p: Params, rng: np.random.Generator, actors: tuple[str, ...]
) -> tuple[World, dict, dict]:
    """Returns the next world, the turn's metric record and the internal flows (for observers)."""
    w = validated_copy(world)  # a deep copy, much faster than copy.deepcopy, that also checks the world
    w.news = []
    q: dict = {"shock": shocks.draw_shocks(p, rng)}
    supply.deliver_tools_and_capacity(w, p, q)
    supply.advance_technology(w, p, rng, q)
    politics.dutch_licences(w, p, rng)
    supply.procure_through_proxies(w, p, rng, q)
    supply.build_packaging(w, p, q)
    supply.produce_chips(w, p, q)
    allied.nvidia_design(w)
    allied.allied_output(w, p, q)
    allied.sell_to_tier2(w, p, q)
    china_market.export_huawei_chips(w, p, q)
    smuggling.plan_smuggling(w, p, q)
    china_market.china_demand(w, p, rng, q)
    china_market.clear_china_market(w, p, rng, q)
    allied.nvidia_books(w, p, q)
    stocks.settle_stocks(w, p, q)
    supply.run_smic_books(w, p, q)
    supply.run_asml_books(w, p, q)
    politics.us_intelligence(w, p, rng, q)
    politics.update_hawkishness(w, p, rng, q)
    politics.decide_licences(w, p, rng, q)
    politics.tier2_politics(w, p, q)
    politics.decay_pressure(w, p)
    allied.settle_licences(w)
    record = build_record(w, p, q, format_quarter(w.quarter_index), w.turn + 1, actors)
    w.turn += 1
    w.quarter_index += 1
    w.smugglers.lying_low = False
    return w, record, q
