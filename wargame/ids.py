"""Actor ids, the initiative order and quarter arithmetic: the small shared vocabulary.

Actor ids are a contract (command line, metric names, save files), so they live in one place.
"""

from __future__ import annotations

import functools
import re

CORE_ACTORS: tuple[str, ...] = ("us", "china", "asml", "smic", "huawei", "nvidia")
SMUGGLERS = "smugglers"
DEFAULT_TIER2: tuple[str, ...] = ("india", "malaysia", "singapore", "uae")
# Tier-2 ids that a scenario may add beyond the default four.
KNOWN_TIER2: tuple[str, ...] = DEFAULT_TIER2 + ("saudi_arabia",)

ACTOR_LABELS: dict[str, str] = {
    "us": "US government", "china": "China government", "asml": "ASML", "smic": "SMIC", "huawei": "Huawei",
    "nvidia": "Nvidia", "smugglers": "Smuggling networks", "india": "India", "malaysia": "Malaysia",
    "singapore": "Singapore", "uae": "UAE", "saudi_arabia": "Saudi Arabia",
}


def actor_label(actor: str) -> str:
    """How a person reads an actor id: 'us' -> 'US government'."""
    return ACTOR_LABELS.get(actor, actor.replace("_", " ").title())


_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def initiative_order(tier2: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """DESIGN §3: US, China, ASML, SMIC, Huawei, Nvidia, Tier-2 nations, smugglers."""
    return CORE_ACTORS + tuple(tier2) + (SMUGGLERS,)


@functools.lru_cache(maxsize=1024)
def parse_quarter(text: str) -> int:
    """'2025Q1' -> an absolute quarter index (year*4 + q-1). Remembered: the engine asks for the
    same few dates (events, locks, roadmaps) every quarter of every game."""
    m = _QUARTER.match(text)
    if not m:
        raise ValueError(f"quarter {text!r} is not of the form YYYYQn (n = 1..4)")
    return int(m.group(1)) * 4 + int(m.group(2)) - 1


def format_quarter(index: int) -> str:
    return f"{index // 4}Q{index % 4 + 1}"


def is_quarter(text: object) -> bool:
    return isinstance(text, str) and bool(_QUARTER.match(text))
