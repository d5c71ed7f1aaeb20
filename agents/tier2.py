"""A Tier-2 nation (one agent each): stance, transshipment controls, data centres, Chinese tenants."""

from __future__ import annotations

from agents.base import ActorAgent, Amount, Choice, Spec, wanted
from wargame import moves as mv
from wargame.params import Params
from wargame.state import STANCES, TRANSSHIP, World


class Tier2Agent(ActorAgent):
    def specs(self, world: World, p: Params, kind: str | None = None) -> list[Spec]:
        t = world.tier2[self.actor_id]
        out = []
        if wanted(kind, mv.SetStance):
            out.append(Spec(mv.SetStance, fields={"stance": Choice(tuple(x for x in STANCES if x != t.stance))}))
        if wanted(kind, mv.SetTransshipControls):
            out.append(Spec(mv.SetTransshipControls, fields={"level": Choice(tuple(x for x in TRANSSHIP if x != t.transship_controls))}))
        if wanted(kind, mv.BuildDatacentres):
            out.append(Spec(mv.BuildDatacentres, fields={"mw": Amount(0.0, t.max_build_mw_per_quarter, "MW/quarter",
                                                                      "national build capacity")}))
        if wanted(kind, mv.SetChineseTenants):
            out.append(Spec(mv.SetChineseTenants, fields={"admit": Choice((not t.admit_chinese_tenants,))}))
        return out

    def apply(self, move: mv.AnyMove, world: World, p: Params) -> None:
        t = world.tier2[self.actor_id]
        if isinstance(move, mv.SetStance):
            t.stance = move.stance
        elif isinstance(move, mv.SetTransshipControls):
            t.transship_controls = move.level
        elif isinstance(move, mv.BuildDatacentres):
            t.build_mw_per_quarter = float(move.mw)
        elif isinstance(move, mv.SetChineseTenants):
            t.admit_chinese_tenants = move.admit
