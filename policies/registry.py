"""Which policies a seat may have (`--seat ACTOR=POLICY`, scenario seats, save files), and how
to build one.

Every actor has the generic policies (`default`, its rule-of-thumb doctrine, also called
`doctrine`; `idle`; `random`; `lookahead`) plus the named doctrines of its library
(policies/library/, e.g. the US's `hawk` or a Tier-2 nation's `hedge`). A save may also hold
`human`: a seat a person plays in `wargame play`.
"""

from __future__ import annotations

import functools

GENERIC: dict[str, str] = {
    "default": "the actor's rule-of-thumb doctrine (policies/doctrine.py): reacts to what it observes",
    "doctrine": "the same as default (the name older saves and scripts use)",
    "idle": "never orders: every setting stays where the scenario put it",
    "random": "a uniformly random legal order each time, then pass with some chance",
    "lookahead": "simulates a few quarters ahead for each candidate plan, from its own beliefs, and keeps the best for its score",
}
HUMAN = "human"  # a seat a person plays in the UI (`wargame play`); no bot decides for it
TIER2 = "tier2"  # the library's key for doctrines any Tier-2 nation may follow


@functools.cache
def _library() -> dict[str, dict[str, tuple]]:
    from policies.library import LIBRARY

    return LIBRARY


def _group(actor: str) -> str:
    from wargame.ids import CORE_ACTORS, SMUGGLERS

    return actor if actor in CORE_ACTORS or actor == SMUGGLERS else TIER2


ALIASES: dict[str, str] = {"default": "doctrine"}  # two names, one policy


def canonical_policy(name: str) -> str:
    """The one name of a policy that has several (`default` is `doctrine`): two arms or seats
    whose names differ only by an alias play the same games."""
    return ALIASES.get(name, name)


def policy_names(actor: str) -> tuple[str, ...]:
    """The policies this actor's seat may have, generic ones first."""
    return (*GENERIC, *_library().get(_group(actor), {}))


def all_policy_names() -> tuple[str, ...]:
    """Every policy name of any actor (for messages that name no actor)."""
    names = list(GENERIC)
    for doctrines in _library().values():
        names += [n for n in doctrines if n not in names]
    return tuple(names)


def describe_policies(actors: tuple[str, ...] | list[str]) -> dict[str, list[dict[str, str]]]:
    """`wargame policies --json`: per actor, each policy's name and one-line description."""
    out = {}
    for actor in actors:
        lib = _library().get(_group(actor), {})
        out[actor] = [{"name": n, "description": GENERIC[n] if n in GENERIC else lib[n][1]} for n in policy_names(actor)]
    return out


def policy_problem(name: object, actor: str, allow_human: bool = False) -> str | None:
    """None if `name` may play `actor`'s seat, else a one-line reason naming what is allowed."""
    allowed = policy_names(actor) + ((HUMAN,) if allow_human else ())
    if isinstance(name, str) and name in allowed:
        return None
    owners = sorted(g for g, lib in _library().items() if name in lib)
    whose = f" ({name!r} is a policy of {', '.join(owners)})" if owners else ""
    return f"unknown policy {name!r} for {actor}{whose}; policies: {', '.join(allowed)}"


def make_policy(name: str, actor: str, context: dict | None = None):
    """A fresh policy object for one seat. `context` (the scenario and every seat's policy,
    public knowledge at the table) is what the look-ahead bot simulates with."""
    if name == "random":
        from policies.random_policy import RandomPolicy

        return RandomPolicy()
    if name in ("doctrine", "default"):
        from policies.doctrine import doctrine_for

        return doctrine_for(actor)
    if name == "idle":
        from policies.idle import IdlePolicy

        return IdlePolicy()
    if name == "lookahead":
        from policies.lookahead import LookaheadPolicy

        return LookaheadPolicy(actor, **(context or {}))
    lib = _library().get(_group(actor), {})
    if name in lib:
        return lib[name][0](actor)
    if name == HUMAN:
        raise KeyError(f"{actor} is a human seat: play it in `wargame play`, or give it a bot with --seat {actor}=POLICY")
    raise KeyError(policy_problem(name, actor))
