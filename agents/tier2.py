"""A Tier-2 nation (one agent each): stance, transshipment controls, data centres, Chinese tenants."""

from __future__ import annotations

from agents.base import ActorAgent, Amount, Choice, Spec, builds
from wargame import moves as mv
from wargame.params import Params
from wargame.state import STANCES, TRANSSHIP, World


class Tier2Agent(ActorAgent):
    @builds(mv.SetStance)
    def _stance(self, world: World, p: Params, target: str | None) -> list[Spec]:
        now = world.tier2[self.actor_id].stance
        return [Spec(mv.SetStance, fields={"stance": Choice(tuple(x for x in STANCES if x != now))})]

    @builds(mv.SetTransshipControls)
    def _transship(self, world: World, p: Params, target: str | None) -> list[Spec]:
        now = world.tier2[self.actor_id].transship_controls
        return [Spec(mv.SetTransshipControls, fields={"level": Choice(tuple(x for x in TRANSSHIP if x != now))})]

    @builds(mv.BuildDatacentres)
    def _datacentres(self, world: World, p: Params, target: str | None) -> list[Spec]:
        most = world.tier2[self.actor_id].max_build_mw_per_quarter
        return [Spec(mv.BuildDatacentres, fields={"mw": Amount(0.0, most, "MW/quarter", "national build capacity")})]

    @builds(mv.SetChineseTenants)
    def _tenants(self, world: World, p: Params, target: str | None) -> list[Spec]:
        return [Spec(mv.SetChineseTenants, fields={"admit": Choice((not world.tier2[self.actor_id].admit_chinese_tenants,))})]

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
