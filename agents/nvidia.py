"""Nvidia: a China-compliant design, licence requests, lobbying, supply split and China price."""

from __future__ import annotations

from agents.base import ActorAgent, Amount, Choice, Spec, builds
from wargame import moves as mv
from wargame.chips import threshold_rank
from wargame.params import Params
from wargame.state import CHINA_CHIP_LEVELS, World


class NvidiaAgent(ActorAgent):
    actor_id = "nvidia"

    @builds(mv.DesignChinaChip)
    def _design(self, world: World, p: Params, target: str | None) -> list[Spec]:
        nv = world.nvidia
        designs = tuple(x for x in CHINA_CHIP_LEVELS if x not in (nv.china_chip, nv.design_target))
        return [Spec(mv.DesignChinaChip, fields={"level": Choice(designs, f"ready after {p.design_lag_quarters} quarters")})]

    @builds(mv.Lobby)
    def _lobby(self, world: World, p: Params, target: str | None) -> list[Spec]:
        return [Spec(mv.Lobby, fields={"usd_m": Amount(0.0, 2.0, "USD million/quarter")})]

    @builds(mv.AllocateSupply)
    def _supply(self, world: World, p: Params, target: str | None) -> list[Spec]:
        return [Spec(mv.AllocateSupply, fields={"china_share": Amount(0.0, 0.3, "share of output"),
                                                "tier2_share": Amount(0.0, 0.3, "share of output")})]

    @builds(mv.SetChinaPrice)
    def _price(self, world: World, p: Params, target: str | None) -> list[Spec]:
        return [Spec(mv.SetChinaPrice, fields={"multiplier": Amount(0.8, 1.5, "x list price")})]

    @builds(mv.RequestLicence)
    def _licence(self, world: World, p: Params, target: str | None) -> list[Spec]:
        nv, us = world.nvidia, world.us
        if nv.china_chip == "none":
            why = "no China chip is designed yet"
        elif nv.licence_pending:
            why = "a request is already pending"
        elif nv.licensed_level == nv.china_chip:
            why = f"the {nv.china_chip} chip is already licensed"
        elif threshold_rank(nv.china_chip) > threshold_rank(us.threshold):
            why = f"the US threshold {us.threshold} forbids a {nv.china_chip} chip"
        else:
            why = None
        return [Spec(mv.RequestLicence, unavailable=why)]

    def apply(self, move: mv.AnyMove, world: World, p: Params) -> None:
        nv = world.nvidia
        if isinstance(move, mv.DesignChinaChip):
            if move.level == "none":
                nv.china_chip, nv.design_target, nv.licensed_level = "none", "none", "none"
            else:
                nv.design_target = move.level
                nv.design_ready_turn = world.turn + p.design_lag_quarters
        elif isinstance(move, mv.RequestLicence):
            nv.licence_pending = True
            nv.licence_requested_turn = world.turn
        elif isinstance(move, mv.Lobby):
            nv.lobby_usd_m = float(move.usd_m)
        elif isinstance(move, mv.AllocateSupply):
            nv.china_supply_share = float(move.china_share)
            nv.tier2_supply_share = float(move.tier2_share)
        elif isinstance(move, mv.SetChinaPrice):
            nv.price_multiplier = float(move.multiplier)
