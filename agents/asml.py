"""ASML (with the Dutch government's licences): DUV sales to China, servicing, lobbying The Hague."""

from __future__ import annotations

from agents.base import ActorAgent, Amount, Choice, Spec, wanted
from wargame import moves as mv
from wargame.params import Params
from wargame.state import SERVICING, World


class ASMLAgent(ActorAgent):
    actor_id = "asml"

    def specs(self, world: World, p: Params, kind: str | None = None) -> list[Spec]:
        a = world.asml
        out = []
        if wanted(kind, mv.SetDUVSales):
            cap = p.duv_cap_by_level[a.dutch_restriction]
            out.append(Spec(mv.SetDUVSales, fields={"tools": Amount(0.0, cap, "tools/quarter", f"Dutch licence regime level {a.dutch_restriction}")}))
        if wanted(kind, mv.LobbyHague):
            out.append(Spec(mv.LobbyHague, fields={"usd_m": Amount(0.0, 2.0, "USD million/quarter")}))
        if wanted(kind, mv.SetServicing):
            servicing = ("none",) if a.dutch_restriction >= 3 else SERVICING
            options = tuple(x for x in servicing if x != a.servicing)
            out.append(Spec(mv.SetServicing, fields={"level": Choice(options)}) if options
                       else Spec(mv.SetServicing, unavailable="the Dutch government bans servicing in China"))
        return out

    def apply(self, move: mv.AnyMove, world: World, p: Params) -> None:
        a = world.asml
        if isinstance(move, mv.SetDUVSales):
            a.duv_sales_cap = float(move.tools)
        elif isinstance(move, mv.SetServicing):
            a.servicing = move.level
        elif isinstance(move, mv.LobbyHague):
            a.lobby_usd_m = float(move.usd_m)
