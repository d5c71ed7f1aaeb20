"""SMIC: capacity (needs DUV tools and cash), yield R&D, wafer allocation, tool purchases."""

from __future__ import annotations

import math

from agents.base import ActorAgent, Amount, Spec, builds
from wargame import moves as mv
from wargame.params import Params
from wargame.state import World


def free_tools(world: World, p: Params) -> float:
    s = world.smic
    committed = s.advanced_capacity_wpm + math.fsum(e[1] for e in s.pipeline)
    return max(0.0, s.duv_tools - p.tools_per_kwpm * committed / 1000.0)


def capex_per_kwpm(world: World, p: Params) -> float:
    """Listing SMIC's advanced fabs cuts off US-origin non-litho tools and raises the cost."""
    return p.capex_usd_b_per_kwpm * (p.entity_capex_penalty if "smic_fabs" in world.us.entity_list else 1.0)


def uncommitted_cash(world: World, p: Params) -> float:
    s = world.smic
    return max(0.0, s.cash_usd_b - s.tools_on_order * p.duv_tool_price_usd_b)


class SMICAgent(ActorAgent):
    actor_id = "smic"

    @builds(mv.FundYieldRnD)
    def _yield_rnd(self, world: World, p: Params, target: str | None) -> list[Spec]:
        return [Spec(mv.FundYieldRnD, fields={"usd_b": Amount(0.0, min(1.0, world.smic.cash_usd_b), "USD billion/quarter")})]

    @builds(mv.AllocateWafers)
    def _allocation(self, world: World, p: Params, target: str | None) -> list[Spec]:
        lo = min(0.9, world.china.directive_huawei_share)
        return [Spec(mv.AllocateWafers, fields={"huawei_share": Amount(lo, 0.9, "share of advanced wafers", "at least Beijing's directive")})]

    @builds(mv.BuyDUVTools)
    def _tools(self, world: World, p: Params, target: str | None) -> list[Spec]:
        cash = uncommitted_cash(world, p)
        return [Spec(mv.BuyDUVTools, fields={"tools": Amount(0.0, min(40.0, cash / p.duv_tool_price_usd_b), "tools", "cash")})]

    @builds(mv.AddCapacity)
    def _capacity(self, world: World, p: Params, target: str | None) -> list[Spec]:
        by_tools = free_tools(world, p) / p.tools_per_kwpm * 1000.0
        by_cash = uncommitted_cash(world, p) / capex_per_kwpm(world, p) * 1000.0
        add_hi = min(by_tools, by_cash)
        why = "limited by free DUV tools" if by_tools <= by_cash else "limited by cash"
        return [Spec(mv.AddCapacity, fields={"wpm": Amount(0.0, add_hi, "wafers/month", why)}) if add_hi >= 1.0
                else Spec(mv.AddCapacity, unavailable=f"no room to add capacity ({why})")]

    def apply(self, move: mv.AnyMove, world: World, p: Params) -> None:
        s = world.smic
        if isinstance(move, mv.AddCapacity):
            s.cash_usd_b = max(0.0, s.cash_usd_b - move.wpm / 1000.0 * capex_per_kwpm(world, p))
            s.pipeline = s.pipeline + [[float(world.turn + p.capacity_lag_quarters), float(move.wpm)]]
        elif isinstance(move, mv.FundYieldRnD):
            s.yield_rd_usd_b = float(move.usd_b)
        elif isinstance(move, mv.AllocateWafers):
            s.huawei_share = float(move.huawei_share)
        elif isinstance(move, mv.BuyDUVTools):
            s.tools_on_order += float(move.tools)
