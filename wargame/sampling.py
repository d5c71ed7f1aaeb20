"""Monte Carlo draws of scenario parameters: one draw per game, from the game's own seed.

Each parameter with a `distribution` draws from its own child stream of the seed, keyed by
(PARAMS, crc32 of its name): adding, removing or reordering parameters never shifts another
parameter's draw, and the world's, observers' and seats' dice are untouched.
"""

from __future__ import annotations

import math
import zlib

from wargame.distributions import draw, in_support, is_integer_parameter, support
from wargame.model import PARAMS, stream
from wargame.scenario import Scenario


def name_key(name: str) -> int:
    """A stable spawn key for a parameter (not Python's salted hash)."""
    return zlib.crc32(name.encode("utf-8"))


def sampled_names(scenario: Scenario) -> list[str]:
    return sorted(n for n, p in scenario.parameters.items() if p.distribution is not None)


def draw_parameters(scenario: Scenario, seed: int) -> dict[str, float]:
    """One draw of every parameter that has a distribution, in sorted name order."""
    out: dict[str, float] = {}
    for name in sampled_names(scenario):
        par = scenario.parameters[name]
        out[name] = draw(par.distribution, par.value, stream(int(seed), PARAMS, name_key(name)), is_integer_parameter(name))
    return out


class _Fixed:
    """Stands in for a generator whose one uniform is already chosen: `draw` takes exactly one."""

    def __init__(self, u: float):
        self.u = u

    def random(self) -> float:
        return self.u


def draw_at_quantiles(scenario: Scenario, quantiles: dict[str, float]) -> dict[str, float]:
    """Each named parameter at a quantile of its distribution (the inverse CDF): what a Latin
    hypercube or a sensitivity design chooses in the unit cube, mapped to the parameters."""
    out: dict[str, float] = {}
    for name, u in quantiles.items():
        par = scenario.parameters[name]
        out[name] = draw(par.distribution, par.value, _Fixed(float(u)), is_integer_parameter(name))
    return out


def draw_problems(scenario: Scenario, param_draw: object) -> list[str]:
    """`param_draw.NAME: what is wrong` for each entry of a claimed draw (e.g. from a save
    file) that this scenario could not have produced; [] when it could have produced it all."""
    if not isinstance(param_draw, dict):
        return [f"param_draw: must be an object of parameter name to number, or null (got {type(param_draw).__name__})"]
    names = sampled_names(scenario)
    out = []
    for name, x in sorted(param_draw.items()):
        par = scenario.parameters.get(name)
        integer = is_integer_parameter(name)
        if par is None or par.distribution is None:
            out.append(f"param_draw.{name}: the scenario gives this parameter no distribution "
                       f"(parameters with one: {', '.join(names) or 'none'})")
        elif not isinstance(x, (int, float)) or isinstance(x, bool) or not math.isfinite(x):
            out.append(f"param_draw.{name}: must be a finite number (got {x!r})")
        elif not in_support(par.distribution, x, integer):
            lo, hi = support(par.distribution, integer)
            out.append(f"param_draw.{name}: {x!r} is outside its {par.distribution.kind} distribution's support "
                       f"[{lo:g}, {hi:g}]" + (" (integers only)" if integer else ""))
    missing = [n for n in names if n not in param_draw]
    if missing:
        out.append(f"param_draw: no value for {', '.join(missing)} (a draw covers every parameter with a distribution)")
    return out


def normalise_draw(param_draw: dict[str, float]) -> dict[str, float]:
    """Integer parameters as ints (JSON may hand back 3.0), in sorted name order."""
    return {n: (int(v) if is_integer_parameter(n) else float(v)) for n, v in sorted(param_draw.items())}
