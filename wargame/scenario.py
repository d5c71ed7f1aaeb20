"""Scenario files: a frozen schema, a YAML loader, and error messages a person can act on.

A scenario is data: start quarter, length, the roster's initial state, every parameter with
its unit and source id (../shared/calibration/targets.yaml), scripted events and default seats.
`extends: NAME` lets a policy variant override a few fields of another scenario.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wargame.distributions import distribution_problems
from wargame.ids import DEFAULT_TIER2, initiative_order, is_quarter, parse_quarter
from wargame.params import Params
from wargame.state import World

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"


class ScenarioError(Exception):
    """One line per problem: `file: field.path: what is wrong (what is allowed)`."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Distribution(_Frozen):
    """Uncertainty for Monte Carlo sampling of a parameter (fields per kind: wargame/distributions.py).

    A normal would be `truncated_normal`: an untruncated one can draw impossible values."""

    kind: Literal["uniform", "triangular", "truncated_normal", "lognormal"]
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    sigma: float | None = None


class Parameter(_Frozen):
    value: float | int | str | list[float]
    unit: str
    source: str | None = None
    note: str | None = None
    distribution: Distribution | None = None


class Effect(_Frozen):
    """Change one field of the world: `target` is a dotted path such as `us.threshold`."""

    target: str
    op: Literal["set", "add", "append", "remove"] = "set"
    value: Any


class Event(_Frozen):
    id: str
    quarter: str
    description: str
    source: str | None = None
    hypothetical: bool = False
    effects: list[Effect] = Field(min_length=1)

    @field_validator("quarter")
    @classmethod
    def _quarter(cls, v: str) -> str:
        if not is_quarter(v):
            raise ValueError("must look like 2025Q1 (year, Q, 1-4)")
        return v


class RandomEvent(_Frozen):
    """An inject that may fire at the start of any quarter in its window, with a fixed hazard."""

    id: str
    description: str
    hazard_per_quarter: float = Field(ge=0, le=1)
    earliest: str | None = None
    latest: str | None = None
    repeatable: bool = False
    source: str | None = None
    hypothetical: bool = True
    effects: list[Effect] = Field(min_length=1)

    @field_validator("earliest", "latest")
    @classmethod
    def _quarter(cls, v: str | None) -> str | None:
        if v is not None and not is_quarter(v):
            raise ValueError("must look like 2025Q1 (year, Q, 1-4)")
        return v

    def can_fire(self, quarter_index: int, fired: list[str]) -> bool:
        if not self.repeatable and self.id in fired:
            return False
        lo = parse_quarter(self.earliest) if self.earliest else quarter_index
        hi = parse_quarter(self.latest) if self.latest else quarter_index
        return lo <= quarter_index <= hi


class Lock(_Frozen):
    """A move kind the scenario takes out of a seat's hands (a policy assumption or the record)."""

    reason: str
    until: str | None = None  # last quarter locked; None = the whole game

    @field_validator("until")
    @classmethod
    def _quarter(cls, v: str | None) -> str | None:
        if v is not None and not is_quarter(v):
            raise ValueError("must look like 2025Q1 (year, Q, 1-4)")
        return v

    def active(self, quarter_index: int) -> bool:
        return self.until is None or quarter_index <= parse_quarter(self.until)


class Scenario(_Frozen):
    name: str
    extends: str | None = None  # the scenario this one varies (kept for `wargame effects`)
    hypothetical: bool = False  # a policy variant or counterfactual, compared with what it extends
    title: str
    description: str
    start_quarter: str
    turns: int = Field(ge=1, le=200)
    initial: World
    initial_sources: dict[str, str] = {}
    parameters: dict[str, Parameter]
    events: list[Event] = []
    random_events: list[RandomEvent] = []
    seats: dict[str, str] = {}
    locks: dict[str, dict[str, Lock]] = {}  # actor -> {move kind: why (and until when) it is fixed}

    @field_validator("locks", mode="before")
    @classmethod
    def _plain_reasons(cls, v: Any) -> Any:
        """`kind: "reason"` is shorthand for a lock over the whole game."""
        if isinstance(v, dict):
            return {a: ({k: ({"reason": r} if isinstance(r, str) else r) for k, r in kinds.items()} if isinstance(kinds, dict) else kinds)
                    for a, kinds in v.items()}
        return v

    @field_validator("start_quarter")
    @classmethod
    def _start(cls, v: str) -> str:
        if not is_quarter(v):
            raise ValueError("must look like 2025Q1 (year, Q, 1-4)")
        return v

    @property
    def tier2(self) -> tuple[str, ...]:
        return tuple(sorted(self.initial.tier2))  # alphabetical: stable across save files

    @property
    def actors(self) -> tuple[str, ...]:
        return initiative_order(self.tier2)

    def params(self, overrides: dict[str, float] | None = None) -> Params:
        """The parameters, with `overrides` (e.g. a Monte Carlo draw) replacing some values."""
        return Params(**{k: v.value for k, v in self.parameters.items()} | (overrides or {}))

    def start_world(self) -> World:
        return self.initial.model_copy(update={"quarter_index": parse_quarter(self.start_quarter), "turn": 0}, deep=True)


# --- effects on a world ---------------------------------------------------------------------
def _resolve(world: World, path: str) -> tuple[BaseModel, str, str | None]:
    """The state model that owns the path, its field, and a dict key inside it (if any)."""
    parts = path.split(".")
    obj: Any = world
    i = 0
    while i < len(parts):
        part = parts[i]
        if not isinstance(obj, BaseModel) or part not in type(obj).model_fields:
            raise KeyError(part)
        value = getattr(obj, part)
        rest = parts[i + 1:]
        if not rest:
            return obj, part, None
        if isinstance(value, dict):
            if isinstance(value.get(rest[0]), BaseModel):  # e.g. tier2.malaysia.<field>
                obj, i = value[rest[0]], i + 2
                continue
            if len(rest) != 1:
                raise KeyError(path)
            return obj, part, rest[0]
        obj, i = value, i + 1
    raise KeyError(path)


def _clamp(cls: type[BaseModel], field: str, value: Any) -> Any:
    """An `add` effect saturates at the field's bounds instead of breaking the world."""
    for meta in cls.model_fields[field].metadata:
        if getattr(meta, "ge", None) is not None:
            value = max(meta.ge, value)
        if getattr(meta, "le", None) is not None:
            value = min(meta.le, value)
    return value


def apply_effect(world: World, effect: Effect) -> None:
    """Mutates `world`; raises KeyError on a bad path, ValidationError on a bad value."""
    owner, field, key = _resolve(world, effect.target)
    container = getattr(owner, field)
    current = container.get(key, 0.0) if key is not None else container
    if effect.op == "set":
        new = effect.value
    elif effect.op == "add":
        new = current + effect.value
    elif effect.op == "append":
        new = sorted(set(current) | {effect.value})
    else:
        new = [x for x in current if x != effect.value]
    if key is not None:
        if effect.op == "add" and isinstance(new, (int, float)):
            new = max(0.0, new)  # every numeric map in the state is non-negative
        new = {**container, key: new}
    elif effect.op == "add":
        new = _clamp(type(owner), field, new)
    checked = type(owner).model_validate({**owner.model_dump(), field: new})
    setattr(owner, field, getattr(checked, field))


# --- loading ----------------------------------------------------------------------------------
def builtin_names() -> list[str]:
    return sorted(p.name[:-5] for p in SCENARIO_DIR.iterdir() if p.name.endswith(".yaml"))


def _read_yaml(path: Path, label: str) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([f"{label}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{label}: cannot read ({exc.__class__.__name__})"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ScenarioError([f"{label}: (document): {where}YAML syntax error: {problem}"]) from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise ScenarioError([f"{label}: (document): a scenario must be a mapping of fields, got {kind}"])
    return data


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _locate(name_or_path: str) -> tuple[Path, str]:
    if name_or_path in builtin_names():
        return SCENARIO_DIR / f"{name_or_path}.yaml", name_or_path
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists() or "/" in name_or_path:
        return path, str(path)
    raise ScenarioError([f"unknown scenario {name_or_path!r}; built-in scenarios: {', '.join(builtin_names())} (or a path to a .yaml file)"])


def _drop_replaced_distributions(parent: dict, over: dict) -> dict:
    """A child's distribution that names its `kind` replaces the parent's whole (no stale
    fields of another kind); one without `kind` adjusts the parent's fields."""
    params, mine = parent.get("parameters"), over.get("parameters")
    if not isinstance(params, dict) or not isinstance(mine, dict):
        return parent
    params = dict(params)
    for name, par in mine.items():
        dist = par.get("distribution") if isinstance(par, dict) else None
        if isinstance(dist, dict) and "kind" in dist and isinstance(params.get(name), dict):
            params[name] = {k: v for k, v in params[name].items() if k != "distribution"}
    return {**parent, "parameters": params}


def _raw(name_or_path: str, seen: tuple[str, ...] = ()) -> tuple[dict, str]:
    path, label = _locate(name_or_path)
    data = _read_yaml(path, label)
    base = data.pop("extends", None)
    if base is not None:
        if not isinstance(base, str) or base in seen:
            raise ScenarioError([f"{label}: extends: must name another scenario, without cycles"])
        try:
            parent, _ = _raw(base, seen + (base,))
        except ScenarioError as exc:
            raise ScenarioError([f"{label}: extends: {p}" for p in exc.problems]) from None
        extra = data.pop("add_events", [])
        drop = data.pop("drop_events", [])
        data = _merge(_drop_replaced_distributions(parent, data), data)
        data["extends"] = base
        if isinstance(drop, list):
            unknown = [d for d in drop if d not in {e.get("id") for e in data.get("events", []) if isinstance(e, dict)}]
            if unknown:
                raise ScenarioError([f"{label}: drop_events: {', '.join(map(str, unknown))} not among {base}'s events"])
            data["events"] = [e for e in data.get("events", []) if not (isinstance(e, dict) and e.get("id") in drop)]
        if isinstance(extra, list):
            data["events"] = list(data.get("events", [])) + extra
    return data, label


def _fmt_loc(loc: tuple) -> str:
    return ".".join(str(x) for x in loc) or "(document)"


def _problems_from(exc: ValidationError, label: str, prefix: str = "") -> list[str]:
    lines = []
    for err in exc.errors(include_url=False):
        loc = _fmt_loc(tuple(err["loc"]))
        msg = err["msg"]
        if err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field (not part of the schema)"
        lines.append(f"{label}: {prefix}{loc}: {msg}")
    return lines


def _effect_problems(world: World, effects: list[Effect], where: str) -> list[str]:
    """Apply the effects to a probe world; one line per effect that does not fit."""
    problems = []
    for j, eff in enumerate(effects):
        try:
            apply_effect(world, eff)
        except (KeyError, AttributeError, TypeError):
            problems.append(f"{where}.effects.{j}.target: {eff.target!r} is not a field of the world state")
        except ValidationError as exc:
            problems += [f"{where}.effects.{j}.value: {e['msg']}" for e in exc.errors(include_url=False)]
    return problems


def _check_semantics(sc: Scenario, label: str) -> list[str]:
    problems: list[str] = []
    try:
        sc.params()
    except ValidationError as exc:
        problems += _problems_from(exc, label, "parameters.")
    for name, par in sc.parameters.items():
        if isinstance(par.value, float) and not math.isfinite(par.value):
            problems.append(f"{label}: parameters.{name}.value: must be a finite number")
        elif par.distribution is not None:
            problems += [f"{label}: parameters.{name}.{p}" for p in distribution_problems(name, par.value, par.distribution)]
    tier2 = set(sc.tier2)
    if not tier2:
        problems.append(f"{label}: initial.tier2: at least one Tier-2 nation is required (e.g. {', '.join(DEFAULT_TIER2)})")
    for nation in sc.initial.us.diffusion:
        if nation not in tier2:
            problems.append(f"{label}: initial.us.diffusion.{nation}: not a Tier-2 nation of this scenario ({', '.join(sorted(tier2))})")
    for hub in sc.initial.smugglers.routes:
        if hub not in tier2:
            problems.append(f"{label}: initial.smugglers.routes.{hub}: not a Tier-2 nation of this scenario ({', '.join(sorted(tier2))})")
    start = parse_quarter(sc.start_quarter)
    world = sc.start_world()
    for i, ev in sorted(enumerate(sc.events), key=lambda e: parse_quarter(e[1].quarter)):
        if not start <= parse_quarter(ev.quarter) < start + sc.turns:
            problems.append(f"{label}: events.{i}.quarter: {ev.quarter} is outside the game ({sc.start_quarter} + {sc.turns} turns)")
        problems += _effect_problems(world, ev.effects, f"{label}: events.{i}")
    for i, rev in enumerate(sc.random_events):
        problems += _effect_problems(sc.start_world(), rev.effects, f"{label}: random_events.{i}")
    ids = [e.id for e in sc.events] + [e.id for e in sc.random_events]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"{label}: events: id {dup!r} is used more than once (ids must be unique)")
    from wargame.moves import KINDS

    for actor, kinds in sc.locks.items():
        if actor not in sc.actors:
            problems.append(f"{label}: locks.{actor}: unknown actor; actors: {', '.join(sc.actors)}")
        for kind in kinds:
            if kind not in KINDS or kind == "pass":
                problems.append(f"{label}: locks.{actor}.{kind}: unknown move kind; kinds: {', '.join(k for k in sorted(KINDS) if k != 'pass')}")
    from policies.registry import POLICY_NAMES  # lazy: policies import the game, not the reverse

    for actor, policy in sc.seats.items():
        if actor not in sc.actors:
            problems.append(f"{label}: seats.{actor}: unknown actor; actors: {', '.join(sc.actors)}")
        elif policy not in POLICY_NAMES:
            problems.append(f"{label}: seats.{actor}: unknown policy {policy!r}; policies: {', '.join(POLICY_NAMES)}")
    return problems


def scenario_from_dict(data: dict, label: str) -> Scenario:
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems_from(exc, label)) from None
    problems = _check_semantics(sc, label)
    if problems:
        raise ScenarioError(problems)
    return sc


def load_scenario(name_or_path: str) -> Scenario:
    """A built-in name or a YAML path -> a checked Scenario, or ScenarioError listing every problem."""
    data, label = _raw(name_or_path)
    return scenario_from_dict(data, label)
