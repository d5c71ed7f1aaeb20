"""Named doctrines per actor (issue 10): the library the registry offers besides the generic
policies (`default`, `idle`, `random`, `lookahead`).

`LIBRARY[group][name] = (factory(actor) -> policy, one-line description)`, where `group` is an
actor id (us, china, nvidia, huawei, smic, asml, smugglers) or "tier2" for doctrines any Tier-2
nation may follow. Each doctrine is a parameterised plan (a frozen dataclass whose docstring is
its rationale, repeated in docs/policies.md) wrapped in a `NamedDoctrine`, which plans once per
quarter from the observation and the seat's dice and fits each order to the legal bounds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from policies.library import asml, china, huawei, nvidia, smic, smugglers, tier2, us
from policies.library.common import NamedDoctrine

MODULES = {"us": us, "china": china, "nvidia": nvidia, "huawei": huawei, "smic": smic, "asml": asml,
           "smugglers": smugglers, "tier2": tier2}


def _factory(name: str, plan: Callable) -> Callable[[str], NamedDoctrine]:
    def make(actor: str) -> NamedDoctrine:
        return NamedDoctrine(name, plan)

    return make


LIBRARY: dict[str, dict[str, tuple]] = {
    group: {name: (_factory(name, plan), description) for name, (plan, description) in module.DOCTRINES.items()}
    for group, module in MODULES.items()
}


def plan_of(group: str, name: str) -> Callable:
    """The plan (with its parameters) behind a library doctrine, e.g. plan_of("us", "hawk")."""
    return MODULES[group].DOCTRINES[name][0]


def parameters(group: str, name: str) -> dict[str, object]:
    """A library doctrine's parameters and their values, e.g. parameters("us", "hawk")["floor"]."""
    plan = plan_of(group, name)
    return {f.name: getattr(plan, f.name) for f in dataclasses.fields(plan)}


def _fmt(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {_fmt(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parameters_line(group: str, name: str) -> str:
    """The doctrine's parameters as docs/policies.md lists them."""
    return "Parameters: " + "; ".join(f"`{k}` = {_fmt(v)}" for k, v in parameters(group, name).items()) + "."
