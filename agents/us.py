"""The US government: export thresholds, listings, diffusion tiers, enforcement, allies, licences."""

from __future__ import annotations

from agents.base import ActorAgent, Amount, Choice, Spec, aimed, builds
from wargame import moves as mv
from wargame.chips import threshold_rank
from wargame.params import Params
from wargame.state import ALLIES, DIFFUSION_TIERS, ENTITY_TARGETS, INTEL_LEVELS, THRESHOLDS, World

EXPORT_FEES: tuple[float, ...] = (0.0, 0.15, 0.25)  # N8, N14


def allowed_thresholds(world: World, p: Params) -> tuple[str, ...]:
    """A looser threshold is politically possible only below a hawkishness ceiling."""
    h = world.us.hawkishness
    return tuple(t for t in THRESHOLDS if t == "ban_all" or h <= getattr(p, f"max_hawk_{t}"))


def enforcement_bounds(world: World, p: Params) -> tuple[float, float]:
    """Congress funds more enforcement when Washington is hawkish (X7)."""
    hi = p.enforcement_max_base_usd_m + p.enforcement_max_per_hawk_usd_m * world.us.hawkishness
    return p.enforcement_min_usd_m, max(p.enforcement_min_usd_m, hi)


class USAgent(ActorAgent):
    actor_id = "us"

    @builds(mv.SetThreshold)
    def _threshold(self, world: World, p: Params, target: str | None) -> list[Spec]:
        us = world.us
        levels = tuple(t for t in allowed_thresholds(world, p) if t != us.threshold)
        return [Spec(mv.SetThreshold, fields={"level": Choice(levels, f"hawkishness {us.hawkishness:.2f} rules out looser levels")})
                if levels else Spec(mv.SetThreshold, unavailable="no other threshold is politically possible")]

    @builds(mv.SetEnforcement)
    def _enforcement(self, world: World, p: Params, target: str | None) -> list[Spec]:
        lo, hi = enforcement_bounds(world, p)
        return [Spec(mv.SetEnforcement, fields={"budget_usd_m": Amount(lo, hi, "USD million/year", "ceiling rises with hawkishness")})]

    @builds(mv.SetCloudKYC)
    def _cloud_kyc(self, world: World, p: Params, target: str | None) -> list[Spec]:
        return [Spec(mv.SetCloudKYC, fields={"enabled": Choice((not world.us.cloud_kyc,))})]

    @builds(mv.SetExportFee)
    def _export_fee(self, world: World, p: Params, target: str | None) -> list[Spec]:
        now = world.us.export_fee
        return [Spec(mv.SetExportFee, fields={"fee": Choice(tuple(f for f in EXPORT_FEES if f != now))})]

    @builds(mv.SetIntelEffort)
    def _intel(self, world: World, p: Params, target: str | None) -> list[Spec]:
        now = world.us.intel_effort
        return [Spec(mv.SetIntelEffort, fields={"level": Choice(tuple(x for x in INTEL_LEVELS if x != now))})]

    @builds(mv.AddEntity)
    def _listings(self, world: World, p: Params, target: str | None) -> list[Spec]:
        listed = world.us.entity_list
        return [Spec(mv.AddEntity, fixed={"target": t}) for t in aimed(ENTITY_TARGETS, target) if t not in listed]

    @builds(mv.SetDiffusionTier)
    def _diffusion(self, world: World, p: Params, target: str | None) -> list[Spec]:
        diffusion = world.us.diffusion
        return [Spec(mv.SetDiffusionTier, fixed={"nation": n},
                     fields={"tier": Choice(tuple(t for t in DIFFUSION_TIERS if t != diffusion.get(n, "tier1")))})
                for n in aimed(sorted(world.tier2), target)]

    @builds(mv.SetTier2Cap)
    def _tier2_caps(self, world: World, p: Params, target: str | None) -> list[Spec]:
        diffusion = world.us.diffusion
        return [Spec(mv.SetTier2Cap, fixed={"nation": n},
                     fields={"cap_h100e": Amount(0.0, 4 * p.tier2_cap_agreement_h100e, "H100e/quarter")})
                if diffusion.get(n, "tier1") == "tier2"
                else Spec(mv.SetTier2Cap, fixed={"nation": n}, unavailable=f"{n} is not in diffusion tier 2")
                for n in aimed(sorted(world.tier2), target)]

    @builds(mv.PressureAlly)
    def _pressure(self, world: World, p: Params, target: str | None) -> list[Spec]:
        return [Spec(mv.PressureAlly, fixed={"ally": a}) for a in aimed(ALLIES, target)]

    @builds(mv.DecideLicence)
    def _licence(self, world: World, p: Params, target: str | None) -> list[Spec]:
        nv = world.nvidia
        pending = nv.licence_pending and nv.licence_requested_turn < world.turn
        return [Spec(mv.DecideLicence, fields={"grant": Choice((False, True))}) if pending
                else Spec(mv.DecideLicence, unavailable="no licence request from an earlier quarter is pending")]

    def apply(self, move: mv.AnyMove, world: World, p: Params) -> None:
        us, nv = world.us, world.nvidia
        if isinstance(move, mv.SetThreshold):
            us.threshold = move.level
            if nv.licensed_level != "none" and threshold_rank(nv.licensed_level) > threshold_rank(move.level):
                nv.licensed_level = "none"
        elif isinstance(move, mv.AddEntity):
            us.entity_list = sorted(set(us.entity_list) | {move.target})
        elif isinstance(move, mv.SetDiffusionTier):
            us.diffusion = {**us.diffusion, move.nation: move.tier}
        elif isinstance(move, mv.SetTier2Cap):
            us.tier2_caps_h100e = {**us.tier2_caps_h100e, move.nation: float(move.cap_h100e)}
        elif isinstance(move, mv.SetEnforcement):
            us.enforcement_budget_usd_m = float(move.budget_usd_m)
        elif isinstance(move, mv.SetCloudKYC):
            us.cloud_kyc = move.enabled
        elif isinstance(move, mv.PressureAlly):
            attr = f"pressure_{move.ally}"
            setattr(us, attr, min(1.0, getattr(us, attr) + p.pressure_step))
        elif isinstance(move, mv.DecideLicence):
            us.licence_decision = "grant" if move.grant else "deny"
        elif isinstance(move, mv.SetExportFee):
            us.export_fee = float(move.fee)
        elif isinstance(move, mv.SetIntelEffort):
            us.intel_effort = move.level
