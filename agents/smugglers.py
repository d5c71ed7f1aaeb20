"""Smuggling networks: volume per Tier-2 hub, fragmentation, cloud brokerage, lying low."""

from __future__ import annotations

from agents.base import ActorAgent, Amount, Spec, aimed, builds
from wargame import moves as mv
from wargame.chips import world_price_per_h100e
from wargame.params import Params
from wargame.state import World


class SmugglersAgent(ActorAgent):
    actor_id = "smugglers"

    @builds(mv.RouteVia)
    def _routes(self, world: World, p: Params, target: str | None) -> list[Spec]:
        sm = world.smugglers
        affordable = sm.capital_usd_b * p.smuggler_leverage * 1e9 / world_price_per_h100e(p, world.quarter_index)
        volume = Amount(0.0, affordable, "H100e/quarter",  # one (immutable) domain shared by every hub
                        f"capital USD {sm.capital_usd_b:.2f}B x {p.smuggler_leverage:g} leverage")
        return [Spec(mv.RouteVia, fixed={"hub": h}, fields={"h100e": volume}) for h in aimed(sorted(world.tier2), target)]

    @builds(mv.SetFragmentation)
    def _fragmentation(self, world: World, p: Params, target: str | None) -> list[Spec]:
        return [Spec(mv.SetFragmentation, fields={"level": Amount(0.0, 1.0, "0 = bulk .. 1 = many small parcels")})]

    @builds(mv.BrokerCloud)
    def _cloud(self, world: World, p: Params, target: str | None) -> list[Spec]:
        return [Spec(mv.BrokerCloud, fields={"h100e": Amount(0.0, 50000.0, "H100e of rented compute")})]

    @builds(mv.LieLow)
    def _lie_low(self, world: World, p: Params, target: str | None) -> list[Spec]:
        return [Spec(mv.LieLow) if not world.smugglers.lying_low else Spec(mv.LieLow, unavailable="already lying low this quarter")]

    def apply(self, move: mv.AnyMove, world: World, p: Params) -> None:
        sm = world.smugglers
        if isinstance(move, mv.RouteVia):
            sm.routes = {**sm.routes, move.hub: float(move.h100e)}
        elif isinstance(move, mv.SetFragmentation):
            sm.fragmentation = float(move.level)
        elif isinstance(move, mv.BrokerCloud):
            sm.cloud_broker_h100e = float(move.h100e)
        elif isinstance(move, mv.LieLow):
            sm.lying_low = True
