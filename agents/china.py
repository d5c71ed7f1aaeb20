"""China's government: SMIC directive, subsidies, foreign-chip policy, Tier-2 courting, retaliation."""

from __future__ import annotations

import math

from agents.base import ActorAgent, Amount, Choice, Spec, aimed, builds
from wargame import moves as mv
from wargame.params import Params
from wargame.state import FOREIGN_CHIP_POLICIES, SUBSIDY_SECTORS, World


def budget_left(world: World) -> float:
    c = world.china
    return max(0.0, c.budget_usd_b - math.fsum(c.subsidies_usd_b.values()) - math.fsum(c.court_offers_usd_b.values()))


class ChinaAgent(ActorAgent):
    actor_id = "china"

    @builds(mv.SetSMICDirective)
    def _directive(self, world: World, p: Params, target: str | None) -> list[Spec]:
        return [Spec(mv.SetSMICDirective, fields={"huawei_share": Amount(0.1, 0.6, "share of SMIC advanced wafers")})]

    @builds(mv.SetForeignChipPolicy)
    def _foreign_chips(self, world: World, p: Params, target: str | None) -> list[Spec]:
        now = world.china.foreign_chip_policy
        return [Spec(mv.SetForeignChipPolicy, fields={"policy": Choice(tuple(x for x in FOREIGN_CHIP_POLICIES if x != now))})]

    @builds(mv.SetMineralCurbs)
    def _mineral_curbs(self, world: World, p: Params, target: str | None) -> list[Spec]:
        return [Spec(mv.SetMineralCurbs, fields={"enabled": Choice((not world.china.mineral_curbs,))})]

    @builds(mv.SetSubsidy)
    def _subsidies(self, world: World, p: Params, target: str | None) -> list[Spec]:
        c = world.china
        left = budget_left(world)
        why = f"budget {c.budget_usd_b:g}, {left:.2f} uncommitted"
        return [Spec(mv.SetSubsidy, fixed={"sector": s},
                     fields={"usd_b": Amount(0.0, c.subsidies_usd_b.get(s, 0.0) + left, "USD billion/quarter", why)})
                for s in aimed(SUBSIDY_SECTORS, target)]

    @builds(mv.CourtTier2)
    def _courting(self, world: World, p: Params, target: str | None) -> list[Spec]:
        left = budget_left(world)
        offer = Amount(0.0, min(2.0, left), "USD billion", f"{left:.2f} of the budget uncommitted")  # shared: immutable
        return [Spec(mv.CourtTier2, fixed={"nation": n}, fields={"usd_b": offer}) for n in aimed(sorted(world.tier2), target)]

    def apply(self, move: mv.AnyMove, world: World, p: Params) -> None:
        c = world.china
        if isinstance(move, mv.SetSMICDirective):
            c.directive_huawei_share = float(move.huawei_share)
            world.smic.huawei_share = max(world.smic.huawei_share, c.directive_huawei_share)
        elif isinstance(move, mv.SetSubsidy):
            c.subsidies_usd_b = {**c.subsidies_usd_b, move.sector: float(move.usd_b)}
        elif isinstance(move, mv.SetForeignChipPolicy):
            c.foreign_chip_policy = move.policy
        elif isinstance(move, mv.CourtTier2):
            c.court_offers_usd_b = {**c.court_offers_usd_b, move.nation: float(move.usd_b)}
        elif isinstance(move, mv.SetMineralCurbs):
            c.mineral_curbs = move.enabled
