"""Tier-2 nation doctrines (any of India, Malaysia, Singapore, the UAE, ...): align-us, hedge,
pivot-china.

A nation sees its own state (alignment, stance, controls, data centres, the US and Chinese chips
it holds), Washington's public state (its diffusion tier and cap, enforcement, cloud KYC),
Huawei's public offer (export share and Ascend generation) and last quarter's public seizures.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies.doctrine import ASCEND_H100E, Dice
from policies.library.common import REFERENCE_ENFORCEMENT_USD_M, SLOT, differs, last, step_towards
from wargame import moves as mv
from wargame.moves import AnyMove
from wargame.observation import Observation
from wargame.state import STANCES, TRANSSHIP

TIER_ACCESS = {"tier1": 1.0, "tier2": 0.5, "tier3": 0.0}  # how open Washington's chips are to the nation, by diffusion tier


def my_tier(obs: Observation) -> str:
    return obs.public["us"]["diffusion"].get(obs.actor, "tier1")


def _build(obs: Observation, dice: Dice, pace: float) -> list[AnyMove]:
    me = obs.own
    build = dice.jitter(pace * me["max_build_mw_per_quarter"], 0.1, SLOT)
    return [mv.BuildDatacentres(actor=obs.actor, mw=build)] if differs(build, me["build_mw_per_quarter"]) else []


def _stance(obs: Observation, stance: str) -> list[AnyMove]:
    return [mv.SetStance(actor=obs.actor, stance=stance)] if stance != obs.own["stance"] else []


def _controls(obs: Observation, level: str) -> list[AnyMove]:
    return [mv.SetTransshipControls(actor=obs.actor, level=level)] if level != obs.own["transship_controls"] else []


def _tenants(obs: Observation, admit: bool) -> list[AnyMove]:
    return [mv.SetChineseTenants(actor=obs.actor, admit=admit)] if admit != obs.own["admit_chinese_tenants"] else []


def us_offer(obs: Observation) -> float:
    """What Washington offers: access to US chips by diffusion tier, more with a generous tier-2 cap."""
    us = obs.public["us"]
    tier = my_tier(obs)
    access = TIER_ACCESS[tier]
    if tier == "tier2" and us["tier2_caps_h100e"].get(obs.actor, 0.0) >= 20000.0:
        access += 0.25
    return access


def china_offer(obs: Observation) -> float:
    """What Beijing offers: Huawei's chips on sale abroad, weighted by how good the Ascend is, plus
    the share of the nation's own compute already Chinese (a supplier it depends on)."""
    hw = obs.public["huawei"]
    on_sale = min(1.0, hw["export_share"] / 0.15) * min(1.0, ASCEND_H100E.get(hw["generation"], 0.68))
    me = obs.own
    held = me["chinese_chips_h100e"] / max(me["compute_stock_h100e"] + me["chinese_chips_h100e"], 1.0)
    return on_sale + held


@dataclass(frozen=True)
class AlignUS:
    """Align with the US: accept Washington's safeguards in exchange for its chips. The nation takes
    the `align_us` stance, refuses Chinese cloud tenants, requires transshipment permits and makes
    them strict when a smuggling scandal breaks (more than `scandal_seized_h100e` seized last
    quarter) or US enforcement rises above `pressure` times the FY2025 level, and builds data
    centres at `pace` of its build capacity in tier 1 (less in a lower tier, where US chips are
    capped)."""

    scandal_seized_h100e: float = 10000.0
    pressure: float = 1.3
    pace: float = 0.5

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        us = obs.public["us"]
        strict = last(obs, "seized_h100e") > self.scandal_seized_h100e or us["enforcement_budget_usd_m"] > self.pressure * REFERENCE_ENFORCEMENT_USD_M
        out = _stance(obs, "align_us")
        current = obs.own["transship_controls"]
        out += _controls(obs, "strict" if strict else "permits" if current == "none" else current)
        out += _tenants(obs, False)
        out += _build(obs, dice, self.pace * (0.4 + 0.6 * TIER_ACCESS[my_tier(obs)]))
        return out


@dataclass(frozen=True)
class Hedge:
    """Hedge: keep both suppliers and lean towards whoever offers more. Each quarter the nation
    compares Washington's offer (its diffusion tier and cap) with Beijing's (Huawei's chips on sale
    abroad and how good they are, and the Chinese share of its own compute); when one side's lead,
    as a share of both offers, exceeds `margin` it moves its stance a step towards that side, with
    chance `resolve` (governments hesitate), and otherwise drifts back to hedging. It keeps
    transshipment permits, tightening to strict only under heavy US enforcement (above `pressure`
    times the FY2025 level, relaxing again below `relax` times), admits Chinese tenants unless
    Washington requires cloud KYC while offering more, and builds at `pace`."""

    margin: float = 0.6  # lead over both offers: 1 when only one side offers anything
    resolve: float = 0.5
    pressure: float = 2.0
    relax: float = 1.4
    pace: float = 0.3

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        us = obs.public["us"]
        a, b = us_offer(obs), china_offer(obs)
        lead = (a - b) / (a + b) if a + b > 0 else 0.0  # -1 (only China offers) .. 1 (only Washington)
        side = "align_us" if lead > self.margin else "buy_chinese" if lead < -self.margin else "hedge"
        out: list[AnyMove] = []
        if side != obs.own["stance"] and dice.chance(self.resolve, SLOT + 1):
            out += _stance(obs, step_towards(obs.own["stance"], side, STANCES))
        pressure = us["enforcement_budget_usd_m"] / REFERENCE_ENFORCEMENT_USD_M
        strict = obs.own["transship_controls"] == "strict"
        heavy = pressure > (self.relax if strict else self.pressure)  # once strict, relaxed only when the pressure is well off
        out += _controls(obs, "strict" if heavy else "permits")
        out += _tenants(obs, not (us["cloud_kyc"] and lead > 0))
        out += _build(obs, dice, self.pace)
        return out


@dataclass(frozen=True)
class PivotChina:
    """Pivot to China (a hypothetical strategy): build on Chinese chips and Chinese partners. The
    nation moves its stance a step towards `buy_chinese` each quarter (with chance `resolve`),
    pausing at hedging while Huawei offers no chips abroad; it drops transshipment controls a step
    at a time, admits Chinese cloud tenants, and builds at `pace` of its capacity while Huawei sells
    abroad (`slow_pace` otherwise)."""

    resolve: float = 0.6
    pace: float = 0.4
    slow_pace: float = 0.2

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        selling = obs.public["huawei"]["export_share"] > 0
        target = "buy_chinese" if selling else "hedge"
        out: list[AnyMove] = []
        if me["stance"] != target and dice.chance(self.resolve, SLOT + 1):
            out += _stance(obs, step_towards(me["stance"], target, STANCES))
        out += _controls(obs, step_towards(me["transship_controls"], "none", TRANSSHIP))
        out += _tenants(obs, True)
        out += _build(obs, dice, self.pace if selling else self.slow_pace)
        return out


DOCTRINES = {
    "align-us": (AlignUS(), "align with Washington: its stance and safeguards, strict controls after a scandal, no Chinese tenants"),
    "hedge": (Hedge(), "keep both suppliers and lean a step towards whichever offers more"),
    "pivot-china": (PivotChina(), "hypothetical: turn to Chinese chips and partners, loosen controls, admit Chinese tenants"),
}
