"""SMIC doctrines: expand, yield-first.

SMIC sees its own books and, as part of the Chinese state's group, Huawei's wafer orders and
Beijing's directive; of ASML it sees the public licence cap and servicing.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies.doctrine import Dice
from policies.library.common import differs
from wargame import moves as mv
from wargame.moves import AnyMove
from wargame.observation import Observation


def _allocation(obs: Observation, margin: float) -> list[AnyMove]:
    """Huawei's share of advanced wafers: Beijing's directive plus a margin."""
    share = min(0.9, obs.public["china"].get("directive_huawei_share", 0.2) + margin)
    return [mv.AllocateWafers(huawei_share=share)] if differs(share, obs.own["huawei_share"], 0.02) else []


@dataclass(frozen=True)
class Expand:
    """Expand: capacity first, as a state-backed foundry building ahead of demand. SMIC starts as
    much new advanced capacity as its free scanners and cash allow, up to `max_add_wpm` a quarter,
    keeps `tools_target` scanners on order while ASML may sell, and spends only `yield_rd_usd_b` on
    yield learning, so cash goes into fabs; it gives Huawei the wafers Beijing directs plus
    `margin`."""

    max_add_wpm: float = 6000.0
    tools_target: float = 40.0
    yield_rd_usd_b: float = 0.2
    margin: float = 0.05

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        out: list[AnyMove] = []
        if obs.public["asml"]["duv_sales_cap"] > 0 and me["tools_on_order"] < 0.75 * self.tools_target:
            out.append(mv.BuyDUVTools(tools=self.tools_target - me["tools_on_order"]))
        out.append(mv.AddCapacity(wpm=self.max_add_wpm))
        if differs(self.yield_rd_usd_b, me["yield_rd_usd_b"]):
            out.append(mv.FundYieldRnD(usd_b=self.yield_rd_usd_b))
        out += _allocation(obs, self.margin)
        return out


@dataclass(frozen=True)
class YieldFirst:
    """Yield first: a wafer is worth little at a low yield, so learn before building. SMIC puts
    `yield_rd_usd_b` a quarter into yield learning while its Ascend-die yield is under `yield_gate`,
    half of it after; it adds only `slow_add_wpm` of capacity a quarter until the yield passes the
    gate and Huawei uses the wafers it is given, then `add_wpm`; it keeps a small order of scanners
    (`tools_target`) and gives Huawei Beijing's directive plus `margin`."""

    yield_rd_usd_b: float = 1.0
    yield_gate: float = 0.45
    slow_add_wpm: float = 500.0
    add_wpm: float = 2000.0
    tools_target: float = 10.0
    margin: float = 0.05

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        hw = obs.public["huawei"]
        out: list[AnyMove] = []
        learning = me["ai_yield"] < self.yield_gate
        rd = self.yield_rd_usd_b if learning else 0.5 * self.yield_rd_usd_b
        if differs(rd, me["yield_rd_usd_b"]):
            out.append(mv.FundYieldRnD(usd_b=rd))
        busy = hw["wafer_order_wpm"] >= 0.9 * me["advanced_capacity_wpm"] * 0.855 * me["huawei_share"]
        out.append(mv.AddCapacity(wpm=dice.jitter(self.slow_add_wpm if learning or not busy else self.add_wpm, 0.2, 8)))
        if obs.public["asml"]["duv_sales_cap"] > 0 and me["tools_on_order"] < 0.5 * self.tools_target:
            out.append(mv.BuyDUVTools(tools=self.tools_target - me["tools_on_order"]))
        out += _allocation(obs, self.margin)
        return out


DOCTRINES = {
    "expand": (Expand(), "build advanced capacity as fast as scanners and cash allow; little yield R&D"),
    "yield-first": (YieldFirst(), "fund yield learning first; add capacity once the yield and Huawei's orders justify it"),
}
