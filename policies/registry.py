"""Policy names usable on the command line (`--seat ACTOR=POLICY`) and in scenario seats."""

from __future__ import annotations

POLICY_NAMES: tuple[str, ...] = ("doctrine", "idle", "random")


def make_policy(name: str, actor: str):
    """A fresh policy object for one seat."""
    if name == "random":
        from policies.random_policy import RandomPolicy

        return RandomPolicy()
    if name == "doctrine":
        from policies.doctrine import doctrine_for

        return doctrine_for(actor)
    if name == "idle":
        from policies.idle import IdlePolicy

        return IdlePolicy()
    raise KeyError(f"unknown policy {name!r}; policies: {', '.join(POLICY_NAMES)}")
