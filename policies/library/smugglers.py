"""Smuggling-network doctrines: aggressive, cautious, cloud-broker.

The networks see their own books (routes, capital) and the truth of last quarter's smuggled,
seized and cloud-leaked volumes; of the hubs they see the public controls, data-centre capacity
and whether Chinese cloud tenants are admitted; of Washington its enforcement budget, cloud KYC
and listings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from policies.doctrine import Dice
from policies.library.common import REFERENCE_ENFORCEMENT_USD_M, SLOT, differs, last
from wargame import moves as mv
from wargame.moves import AnyMove
from wargame.observation import Observation

HUB_RISK = {"none": 0.01, "permits": 0.05, "strict": 0.2}  # a hub's own checks, per shipment (as the default plan reads them)


def hubs(obs: Observation) -> list[str]:
    return sorted(n for n, v in obs.public.items() if "transship_controls" in v)


def intensity(obs: Observation) -> float:
    """US enforcement against the FY2025 budget, with diminishing returns."""
    return math.sqrt(obs.public["us"]["enforcement_budget_usd_m"] / REFERENCE_ENFORCEMENT_USD_M)


def caught_share(obs: Observation) -> float:
    smuggled, seized = last(obs, "smuggled_h100e"), last(obs, "seized_h100e")
    return seized / (smuggled + seized) if smuggled + seized > 0 else 0.0


def margin(obs: Observation, hub: str, fragmentation: float) -> float:
    """Sale price net of expected seizures over cost, through one hub."""
    premium = last(obs, "smuggling_price_premium", 0.5)
    rate = (0.08 * intensity(obs) + HUB_RISK[obs.public[hub]["transship_controls"]]) * (1.0 - 0.6 * fragmentation)
    return (1.0 + premium) * (1.0 - (1.0 - math.exp(-rate))) - 1.15


def cover(obs: Observation, hub: str) -> float:
    """A hub's data-centre build-out as cover for shell-company orders (1 at 200 MW)."""
    return math.sqrt(max(obs.public[hub]["dc_capacity_mw"], 0.0) / 200.0)


def _routes(obs: Observation, volumes: dict[str, float]) -> list[AnyMove]:
    routes = obs.own["routes"]
    return [mv.RouteVia(hub=h, h100e=v) for h, v in sorted(volumes.items()) if differs(v, routes.get(h, 0.0))]


@dataclass(frozen=True)
class Aggressive:
    """Aggressive: move as much as capital and the hubs allow and accept the losses. The networks ask
    every hub for `per_hub_h100e` scaled by its data-centre cover (their capital and the hubs'
    capacity bind first), cut to `strict_weight` through hubs with strict controls, ship in large
    consignments (`fragmentation`), broker the most rented cloud compute they can (`broker_h100e`)
    and never lie low, whatever is seized."""

    per_hub_h100e: float = 150000.0
    strict_weight: float = 0.5
    fragmentation: float = 0.2
    broker_h100e: float = 50000.0

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        volumes = {}
        for i, h in enumerate(hubs(obs)):
            weight = self.strict_weight if obs.public[h]["transship_controls"] == "strict" else 1.0
            volumes[h] = dice.jitter(self.per_hub_h100e * weight * max(0.5, cover(obs, h)), 0.1, SLOT + i % 4)
        out = _routes(obs, volumes)
        if differs(self.fragmentation, me["fragmentation"]):
            out.append(mv.SetFragmentation(level=self.fragmentation))
        if differs(self.broker_h100e, me["cloud_broker_h100e"]):
            out.append(mv.BrokerCloud(h100e=self.broker_h100e))
        return out


@dataclass(frozen=True)
class Cautious:
    """Cautious: stay in business by staying out of sight. The networks route only through hubs without
    strict controls where the premium beats the odds by `min_margin`, at `scale` of what the margin
    would justify, ship in many small parcels (`fragmentation`), broker little rented compute (none
    under cloud KYC), and lie low with chance `lie_low_chance` when more than `caught` of last
    quarter's volume was seized or US enforcement runs above `intensity` times the FY2025 level."""

    min_margin: float = 0.1
    scale: float = 0.6
    fragmentation: float = 0.8
    broker_h100e: float = 5000.0
    caught: float = 0.1
    intensity: float = 1.3
    lie_low_chance: float = 0.8

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        if (caught_share(obs) > self.caught or intensity(obs) > self.intensity) and dice.chance(self.lie_low_chance, SLOT):
            return [mv.LieLow()]
        volumes = {}
        for h in hubs(obs):
            m = margin(obs, h, self.fragmentation)
            ok = obs.public[h]["transship_controls"] != "strict" and m > self.min_margin
            volumes[h] = self.scale * 60000.0 * m / 0.2 * cover(obs, h) if ok else 0.0
        out = _routes(obs, volumes)
        if differs(self.fragmentation, me["fragmentation"]):
            out.append(mv.SetFragmentation(level=self.fragmentation))
        broker = 0.0 if obs.public["us"]["cloud_kyc"] else self.broker_h100e
        if differs(broker, me["cloud_broker_h100e"]):
            out.append(mv.BrokerCloud(h100e=broker))
        return out


@dataclass(frozen=True)
class CloudBroker:
    """Cloud broker: sell access, not hardware. The networks rent compute for Chinese customers in hubs
    that admit Chinese tenants, up to `rentable_share` of those hubs' installed stock and at most
    `max_broker_h100e`, cut by `kyc_cut` under US cloud KYC and by `listing_cut` once Chinese cloud
    providers are listed; they keep only a small physical trade (`route_share` of what the margin
    would justify, in small parcels)."""

    rentable_share: float = 0.1
    max_broker_h100e: float = 50000.0
    kyc_cut: float = 0.3
    listing_cut: float = 0.5
    route_share: float = 0.3
    fragmentation: float = 0.6

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        us = obs.public["us"]
        open_stock = sum(obs.public[h]["compute_stock_h100e"] for h in hubs(obs) if obs.public[h]["admit_chinese_tenants"])
        broker = min(self.max_broker_h100e, self.rentable_share * open_stock)
        if us["cloud_kyc"]:
            broker *= 1.0 - self.kyc_cut
        if "chinese_cloud" in us["entity_list"]:
            broker *= 1.0 - self.listing_cut
        out: list[AnyMove] = []
        if differs(broker, me["cloud_broker_h100e"]):
            out.append(mv.BrokerCloud(h100e=broker))
        volumes = {h: self.route_share * 60000.0 * max(0.0, margin(obs, h, self.fragmentation)) / 0.2 * cover(obs, h) for h in hubs(obs)}
        out += _routes(obs, volumes)
        if differs(self.fragmentation, me["fragmentation"]):
            out.append(mv.SetFragmentation(level=self.fragmentation))
        return out


DOCTRINES = {
    "aggressive": (Aggressive(), "move all that capital and the hubs allow, in large consignments; never lie low"),
    "cautious": (Cautious(), "only well-paid routes through hubs without strict controls, small parcels; lie low when seizures or enforcement rise"),
    "cloud-broker": (CloudBroker(), "rent compute in hubs that admit Chinese tenants; little physical smuggling"),
}
