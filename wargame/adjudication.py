"""Resolve one quarter: a pure function of (world, parameters, dice) -> (new world, record).

The order follows DESIGN §3 step 5: deliveries and capacity, technology, politics abroad,
production, allied supply, demand and how it is met, stocks, books, politics at home.
"""

from __future__ import annotations

import numpy as np

from wargame.ids import format_quarter
from wargame.mechanics import markets, politics, supply
from wargame.metrics import build_record
from wargame.params import Params
from wargame.state import World


def adjudicate(
    world: World, p: Params, rng: np.random.Generator, actors: tuple[str, ...]
) -> tuple[World, dict, dict]:
    """Returns the next world, the turn's metric record and the internal flows (for observers)."""
    w = world.model_copy(deep=True)
    w.news = []
    q: dict = {}
    supply.deliver_tools_and_capacity(w, p, q)
    supply.advance_technology(w, p, rng, q)
    politics.dutch_licences(w, p, rng)
    supply.procure_through_proxies(w, p, rng, q)
    supply.produce_chips(w, p, q)
    markets.nvidia_design(w)
    markets.allied_output(w, p, q)
    markets.sell_to_tier2(w, p, q)
    markets.export_huawei_chips(w, p, q)
    markets.china_demand(w, p, rng, q)
    markets.meet_china_demand(w, p, rng, q)
    markets.settle_stocks(w, p, q)
    markets.nvidia_books(w, p, q)
    supply.run_smic_books(w, p, q)
    supply.run_asml_books(w, p, q)
    politics.update_hawkishness(w, p, rng, q)
    politics.decide_licences(w, p, rng, q)
    politics.tier2_politics(w, p, q)
    politics.decay_pressure(w, p)
    record = build_record(w, p, q, format_quarter(w.quarter_index), w.turn + 1, actors)
    w.turn += 1
    w.quarter_index += 1
    w.smugglers.lying_low = False
    return w, record, q
