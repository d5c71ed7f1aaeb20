"""What the named doctrines share: the policy wrapper and small readings of an observation.

Every reading here takes the `Observation` alone (never the world, never the calendar), so a
doctrine built from them reacts only to what its seat may see: last quarter's visible record,
its estimates, the public state, this quarter's public moves and the news.
"""

from __future__ import annotations

from collections.abc import Iterable

from policies.doctrine import Doctrine, Plan
from wargame.moves import AnyMove
from wargame.observation import Observation
from wargame.state import THRESHOLDS

REFERENCE_ENFORCEMENT_USD_M = 171.0  # X7: the FY2025 BIS budget, the yardstick every seat reads enforcement by
# Dice slots a library doctrine rolls for its own decisions: above the ones the default plans
# use (0-6), so layering a variation on a default plan never shifts the default's dice.
SLOT = 8


class NamedDoctrine(Doctrine):
    """A `Doctrine` (plan once per quarter on the seat's dice, fit each wanted move to the legal
    bounds, pass when none is left) that carries its library name, so logs and errors name it."""

    def __init__(self, name: str, plan: Plan):
        super().__init__(plan)
        self.name = name


def differs(a: float, b: float, rel: float = 0.1) -> bool:
    """Worth an order: the wanted amount is more than `rel` away from the present one."""
    return abs(a - b) > rel * max(abs(a), abs(b), 1e-9)


def last(obs: Observation, key: str, default: float = 0.0) -> float:
    """Last quarter's figure if the seat may see it, else its estimate of it."""
    value = obs.last_record.get(key, obs.estimates.get(key, default))
    return float(value) if isinstance(value, (int, float)) else default


def step_towards(current: str, target: str, order: tuple[str, ...]) -> str:
    """One step along `order` from current towards target (current if equal)."""
    i, j = order.index(current), order.index(target)
    return order[i + (j > i) - (j < i)]


def stricter(a: str, b: str) -> bool:
    """Threshold a is stricter than b (THRESHOLDS runs strictest first)."""
    return THRESHOLDS.index(a) < THRESHOLDS.index(b)


def in_news(obs: Observation, *phrases: str) -> bool:
    return any(p in item for item in obs.news for p in phrases)


def breakthrough(obs: Observation) -> bool:
    """A Chinese technology milestone in this quarter's news."""
    return in_news(obs, "Huawei brings up the Ascend", "CXMT reaches volume HBM3", "domestic immersion scanner")


def proxy_scandal(obs: Observation) -> bool:
    return in_news(obs, "proxy purchase")


def smuggling_seen(obs: Observation) -> float:
    """H100e smuggled last quarter as this seat believes it: the truth for the networks, else an estimate."""
    return last(obs, "smuggled_h100e", 0.0)


def public_moves(obs: Observation, actor: str, kind: str) -> list[dict]:
    """This quarter's public moves of `actor` of one kind (seats earlier in the order)."""
    return [m["move"] for m in obs.moves_this_turn if m["actor"] == actor and m["move"].get("kind") == kind]


def us_tightened_now(obs: Observation) -> bool:
    """Washington moved against China this quarter, in public: a stricter threshold than last
    quarter's, a new listing, cloud KYC switched on or an ally pressed."""
    rank = obs.last_record.get("us_threshold_rank")
    for move in (m["move"] for m in obs.moves_this_turn if m["actor"] == "us"):
        kind = move.get("kind")
        if kind == "set_threshold" and rank is not None and THRESHOLDS.index(move["level"]) < rank:
            return True
        if kind in ("add_entity", "pressure_ally") or (kind == "set_cloud_kyc" and move.get("enabled")):
            return True
    return False


def us_loosened_now(obs: Observation) -> bool:
    """Washington loosened the threshold this quarter, or granted Nvidia a licence last quarter."""
    rank = obs.last_record.get("us_threshold_rank")
    for move in public_moves(obs, "us", "set_threshold"):
        if rank is not None and THRESHOLDS.index(move["level"]) > rank:
            return True
    return in_news(obs, "The US grants Nvidia a licence")


def tier2_nations(obs: Observation) -> list[str]:
    """The Tier-2 nations this seat sees (every one but itself), sorted."""
    return sorted(n for n, v in obs.public.items() if "alignment" in v)


def merge(first: Iterable[AnyMove], then: Iterable[AnyMove], drop: Iterable[str] = ()) -> list[AnyMove]:
    """`first`, then the moves of `then` that order something `first` does not (by kind and
    target) and are not of a dropped kind: a doctrine's own orders layered on a default plan."""
    out = list(first)
    taken = {m.key() for m in out}
    dropped = set(drop)
    out += [m for m in then if m.key() not in taken and m.kind not in dropped]
    return out
