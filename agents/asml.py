"""ASML (with the Dutch government's licences): DUV sales to China, servicing, lobbying The Hague."""

from __future__ import annotations

from agents.base import ActorAgent, Amount, Choice, Spec, builds
from wargame import moves as mv
from wargame.params import Params
from wargame.state import SERVICING, World


class ASMLAgent(ActorAgent):
    actor_id = "asml"

    @builds(mv.SetDUVSales)
    def _duv_sales(self, world: World, p: Params, target: str | None) -> list[Spec]:
        level = world.asml.dutch_restriction
        return [Spec(mv.SetDUVSales, fields={"tools": Amount(0.0, p.duv_cap_by_level[level], "tools/quarter",
                                                             f"Dutch licence regime level {level}")})]

    @builds(mv.LobbyHague)
    def _lobby(self, world: World, p: Params, target: str | None) -> list[Spec]:
        return [Spec(mv.LobbyHague, fields={"usd_m": Amount(0.0, 2.0, "USD million/quarter")})]

    @builds(mv.SetServicing)
    def _servicing(self, world: World, p: Params, target: str | None) -> list[Spec]:
        a = world.asml
        servicing = ("none",) if a.dutch_restriction >= 3 else SERVICING
        options = tuple(x for x in servicing if x != a.servicing)
        return [Spec(mv.SetServicing, fields={"level": Choice(options)}) if options
                else Spec(mv.SetServicing, unavailable="the Dutch government bans servicing in China")]

    def apply(self, move: mv.AnyMove, world: World, p: Params) -> None:
        a = world.asml
        if isinstance(move, mv.SetDUVSales):
            a.duv_sales_cap = float(move.tools)
        elif isinstance(move, mv.SetServicing):
            a.servicing = move.level
        elif isinstance(move, mv.LobbyHague):
            a.lobby_usd_m = float(move.usd_m)
