"""China government doctrines: self-reliance, pragmatic, retaliate.

Beijing sees its own firms' books (Huawei's and SMIC's full state, the hidden China-bloc figures
of last quarter's record), the public state of the others and Washington's public moves of
this quarter, which come before its own in the initiative order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policies.doctrine import ASCEND_H100E, CHIP_CLASS_H100E, Dice, china_plan
from policies.library.common import (
    SLOT,
    differs,
    in_news,
    merge,
    step_towards,
    tier2_nations,
    us_loosened_now,
    us_tightened_now,
)
from wargame import moves as mv
from wargame.moves import AnyMove
from wargame.observation import Observation
from wargame.state import FOREIGN_CHIP_POLICIES


def supply_picture(obs: Observation) -> tuple[float, float, str]:
    """(shortage, domestic cover, Huawei's binding limit) last quarter, judged against what the
    labs would buy at world prices."""
    r = obs.last_record
    latent = r.get("china_latent_demand_h100e", 0.0)
    shortage = 1.0 - r.get("china_compute_additions_h100e", 0.0) / latent if latent > 0 else 0.0
    cover = r.get("china_domestic_additions_h100e", 0.0) / latent if latent > 0 else 0.0
    return shortage, cover, str(r.get("huawei_output_limit", "dies"))


def nvidia_edge(obs: Observation) -> float:
    """Nvidia's China chip on offer over Huawei's current Ascend, per chip (public specs)."""
    offer = CHIP_CLASS_H100E.get(obs.public["nvidia"]["china_chip"], 0.0)
    return offer / ASCEND_H100E.get(obs.public["huawei"]["generation"], 0.68)


def us_hostile(obs: Observation) -> bool:
    """Washington moved against China this quarter, keeps a threshold at H20 class or stricter,
    or denied Nvidia's licence last quarter."""
    return (us_tightened_now(obs) or obs.public["us"]["threshold"] in ("ban_all", "h20_class")
            or in_news(obs, "The US denies Nvidia's China licence"))


def _subsidies(obs: Observation, targets: dict[str, float]) -> list[AnyMove]:
    """Subsidy orders, cuts first so the budget has room for the raises that follow."""
    current = obs.own["subsidies_usd_b"]
    return [mv.SetSubsidy(sector=s, usd_b=v) for s, v in sorted(targets.items(), key=lambda kv: kv[1] - current.get(kv[0], 0.0))
            if differs(v, current.get(s, 0.0))]


def _foreign_policy(obs: Observation, dice: Dice, target: str, slot: int) -> list[AnyMove]:
    policy = obs.own["foreign_chip_policy"]
    if target != policy and dice.chance(0.6, slot):
        return [mv.SetForeignChipPolicy(policy=step_towards(policy, target, FOREIGN_CHIP_POLICIES))]
    return []


@dataclass(frozen=True)
class SelfReliance:
    """Self-reliance: build a domestic chain whatever it costs, and stop depending on a supplier that
    can be cut off. Beijing raises the share of SMIC's advanced wafers directed to Huawei by
    `directive_step` a quarter up to `directive_max` (pausing while Huawei leaves wafers unused),
    spends its whole budget on the chain (`subsidies`, with an extra `bottleneck_boost` on whatever
    limited Huawei's output last quarter) and courts no one. Foreign chips are kept out of state
    data centres at least, and banned outright once domestic chips cover `ban_cover` of the labs'
    demand or Washington tightens again; a ban once made is not lifted when the labs are short. It
    lifts any mineral curbs: it wants no trade fight while it builds."""

    directive_step: float = 0.1
    directive_max: float = 0.6
    subsidies: dict[str, float] = field(default_factory=lambda: {"fab_capacity": 2.0, "lithography": 1.5, "hbm": 2.0, "dc_power": 0.5})
    bottleneck_boost: float = 0.5
    ban_cover: float = 0.5

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        _, cover, limit = supply_picture(obs)
        hw, smic = obs.public["huawei"], obs.public["smic"]
        out: list[AnyMove] = []
        allocated = smic["advanced_capacity_wpm"] * 0.855 * smic["huawei_share"]
        idle = allocated > 0 and hw["wafer_order_wpm"] < 0.8 * allocated
        directive = me["directive_huawei_share"] if idle else min(self.directive_max, me["directive_huawei_share"] + self.directive_step)
        if differs(directive, me["directive_huawei_share"], 0.02):
            out.append(mv.SetSMICDirective(huawei_share=directive))
        targets = dict(self.subsidies)
        if limit.startswith("dies"):
            targets["fab_capacity"] += self.bottleneck_boost
        if "hbm" in limit:
            targets["hbm"] += self.bottleneck_boost
        out += _subsidies(obs, targets)
        banned = me["foreign_chip_policy"] == "full_ban"  # a ban once made is not lifted for a shortage
        target = "full_ban" if banned or cover >= self.ban_cover or us_tightened_now(obs) else "state_dc_domestic"
        out += _foreign_policy(obs, dice, target, SLOT)
        if me["mineral_curbs"]:
            out.append(mv.SetMineralCurbs(enabled=False))
        return out


@dataclass(frozen=True)
class Pragmatic:
    """Pragmatic: buy what is allowed, build at home. Beijing keeps the default industrial policy
    (directive and subsidies steered by the shortage and Huawei's bottleneck) but keeps the market
    open to foreign chips whenever the labs are short by more than `open_shortage` or Nvidia's
    permitted chip is clearly better than the Ascend (by `open_edge`), discouraging them only by
    guidance once domestic supply covers `guidance_cover` of demand; it never bans them. It courts
    wavering Tier-2 nations modestly and never curbs mineral exports, which would invite retaliation
    against the imports it relies on."""

    open_shortage: float = 0.1
    open_edge: float = 1.2
    guidance_cover: float = 0.6

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        shortage, cover, _ = supply_picture(obs)
        if shortage > self.open_shortage or nvidia_edge(obs) > self.open_edge:
            target = "open"
        elif cover >= self.guidance_cover:
            target = "guidance"
        else:
            target = "open"
        own: list[AnyMove] = _foreign_policy(obs, dice, target, SLOT)
        if obs.own["mineral_curbs"]:
            own.append(mv.SetMineralCurbs(enabled=False))
        return merge(own, china_plan(obs, dice), drop=("set_foreign_chip_policy", "set_mineral_curbs"))


@dataclass(frozen=True)
class Retaliate:
    """Retaliate: answer pressure with pressure. Whenever Washington presses (it tightened this
    quarter, keeps an H20-class or stricter threshold, or denied Nvidia's licence) Beijing curbs
    critical-mineral exports, and lifts the curbs only when Washington loosens; in most such
    quarters it turns its guidance against Nvidia's chips a step further towards a full ban; and it
    trims its subsidies to `subsidies` (nothing for data-centre power) to pay for courting:
    `court_usd_b` to every Tier-2 nation not already leaning to China (hedgers first), to pull them
    away from Washington. Directive and the remaining subsidies follow the default industrial
    policy."""

    court_usd_b: float = 0.75
    subsidies: dict[str, float] = field(default_factory=lambda: {"fab_capacity": 1.5, "lithography": 0.5, "hbm": 1.0, "dc_power": 0.0})

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        hostile = us_hostile(obs)
        out: list[AnyMove] = []
        if hostile and not me["mineral_curbs"]:
            out.append(mv.SetMineralCurbs(enabled=True))
        elif me["mineral_curbs"] and us_loosened_now(obs) and not us_tightened_now(obs):
            out.append(mv.SetMineralCurbs(enabled=False))
        if hostile:
            out += _foreign_policy(obs, dice, "full_ban", SLOT)
        out += _subsidies(obs, self.subsidies)  # cuts come first: they free the money for courting
        swing = [n for n in tier2_nations(obs) if obs.public[n]["alignment"] > -0.3]
        swing.sort(key=lambda n: (obs.public[n]["stance"] != "hedge", n))
        out += [mv.CourtTier2(nation=n, usd_b=self.court_usd_b) for n in swing]
        drop = ("set_mineral_curbs", "set_subsidy", "court_tier2") + (("set_foreign_chip_policy",) if hostile else ())
        return merge(out, china_plan(obs, dice), drop=drop)


DOCTRINES = {
    "self-reliance": (SelfReliance(), "everything into the domestic chain; foreign chips out of state data centres, then banned"),
    "pragmatic": (Pragmatic(), "buy what is allowed, build at home: the market stays open while labs are short"),
    "retaliate": (Retaliate(), "mineral curbs and guidance against Nvidia while Washington presses; court Tier-2 nations"),
}
