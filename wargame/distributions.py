"""Uncertainty distributions of scenario parameters: which fields each kind takes, load-time
checks, the support a draw must lie in, and one draw from a generator.

Kinds (a centre left out defaults to the parameter's own value, so a file states the best
estimate once):
    uniform           low, high
    triangular        low, high, mode (optional)
    truncated_normal  sd, low, high, mean (optional); a plain normal could draw impossible values
    lognormal         sigma (the sd of log x), median (optional), low/high (optional truncation)
Bounds truncate (the density is renormalised inside them) rather than clip, so no value
gets a lump of probability at a bound. Integer parameters (lags, years) round their draw to
the nearest integer inside the bounds.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np

from wargame.params import Params

REQUIRED: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "triangular": ("low", "high"),
    "truncated_normal": ("sd", "low", "high"),
    "lognormal": ("sigma",),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    "uniform": (),
    "triangular": ("mode",),
    "truncated_normal": ("mean",),
    "lognormal": ("median", "low", "high"),
}
FIELDS = ("low", "high", "mode", "mean", "sd", "median", "sigma")
CENTRE = {"triangular": "mode", "truncated_normal": "mean", "lognormal": "median"}


def is_integer_parameter(name: str) -> bool:
    field = Params.model_fields.get(name)
    return field is not None and field.annotation is int


def is_numeric_parameter(name: str, value: Any) -> bool:
    """Only numeric scalars can be drawn: not lists, quarter strings or booleans."""
    field = Params.model_fields.get(name)
    numeric_field = field is None or field.annotation in (int, float)
    return numeric_field and isinstance(value, (int, float)) and not isinstance(value, bool)


def _takes(kind: str) -> str:
    required = ", ".join(REQUIRED[kind])
    optional = ", ".join(OPTIONAL[kind])
    return f"{kind} takes {required}" + (f"; optional {optional}" if optional else "")


def _g(x: float) -> str:
    return f"{x:g}"


def centre(dist: Any, value: float) -> float | None:
    """The mode, mean or median, defaulting to the parameter's value (None for uniform)."""
    name = CENTRE.get(dist.kind)
    if name is None:
        return None
    given = getattr(dist, name)
    return float(value) if given is None else float(given)


def distribution_problems(name: str, value: Any, dist: Any) -> list[str]:
    """`distribution.FIELD: what is wrong (what is allowed)`, one per problem; [] if sound."""
    if not is_numeric_parameter(name, value):
        what = "a list" if isinstance(value, list) else "a quarter or text" if isinstance(value, str) else type(value).__name__
        return [f"distribution: only numeric scalar parameters may have a distribution (this value is {what})"]
    kind = dist.kind
    allowed = REQUIRED[kind] + OPTIONAL[kind]
    out = []
    for f in FIELDS:
        x = getattr(dist, f)
        if x is None and f in REQUIRED[kind]:
            out.append(f"distribution.{f}: required for kind {kind} ({_takes(kind)})")
        elif x is not None and f not in allowed:
            out.append(f"distribution.{f}: not used by kind {kind} ({_takes(kind)})")
        elif x is not None and not math.isfinite(x):
            out.append(f"distribution.{f}: must be a finite number (got {x})")
    if out:
        return out
    low, high = dist.low, dist.high
    if low is not None and high is not None and not low < high:
        out.append(f"distribution.high: must be greater than low (low {_g(low)}, high {_g(high)})")
    for f in ("sd", "sigma"):
        x = getattr(dist, f)
        if x is not None and x <= 0:
            out.append(f"distribution.{f}: must be greater than 0 (got {_g(x)})")
    if kind == "lognormal":
        if low is not None and low <= 0:
            out.append(f"distribution.low: must be greater than 0 for a lognormal (got {_g(low)}; omit low for no lower bound)")
        med = centre(dist, value)
        if med is not None and med <= 0:
            src = "" if dist.median is not None else f"defaults to the parameter's value {_g(value)}, which "
            out.append(f"distribution.median: {src}must be greater than 0 for a lognormal (got {_g(med)})")
    if kind == "triangular" and dist.mode is not None and low is not None and high is not None and not low <= dist.mode <= high:
        out.append(f"distribution.mode: must lie in [low, high] ([{_g(low)}, {_g(high)}], got {_g(dist.mode)})")
    if out:
        return out
    if low is not None and value < low:
        out.append(f"distribution.low: {_g(low)} is above the parameter's value {_g(value)} (the value must lie in [low, high])")
    if high is not None and value > high:
        out.append(f"distribution.high: {_g(high)} is below the parameter's value {_g(value)} (the value must lie in [low, high])")
    if kind == "lognormal" and low is None and value <= 0:
        out.append(f"distribution: the parameter's value {_g(value)} is outside a lognormal's support (greater than 0)")
    if not out:
        out += _mass_problems(dist, value)
    return out


MIN_MASS = 1e-6  # the least probability a truncated distribution may keep inside its bounds


def mass_inside(mu: float, sd: float, lo: float, hi: float) -> float:
    """Probability of N(mu, sd) in [lo, hi] (infinite bounds allowed), precise in either tail."""
    a, b = (lo - mu) / sd, (hi - mu) / sd
    return _cdf(-a) - _cdf(-b) if a > 0 else _cdf(b) - _cdf(a)


def _mass_problems(dist: Any, value: float) -> list[str]:
    """A truncated normal (or a lognormal with bounds) keeping almost none of its probability
    inside [low, high] cannot be drawn from honestly: with its centre far outside, every draw
    would sit at the bound nearest it. Uniform and triangular keep all their probability inside."""
    if dist.kind == "truncated_normal":
        mu, sd, lo, hi = centre(dist, value), dist.sd, dist.low, dist.high
        what, centre_name, spread = f"a truncated normal with mean {_g(mu)} and sd {_g(sd)}", "mean", "sd"
        mass = mass_inside(mu, sd, lo, hi)
    elif dist.kind == "lognormal" and (dist.low is not None or dist.high is not None):
        med, sd = centre(dist, value), dist.sigma
        lo, hi = (dist.low if dist.low is not None else 0.0), (dist.high if dist.high is not None else math.inf)
        what, centre_name, spread = f"a lognormal with median {_g(med)} and sigma {_g(sd)}", "median", "sigma"
        mass = mass_inside(math.log(med), sd, math.log(lo) if lo > 0 else -math.inf, math.log(hi))
        mu = med
    else:  # uniform, triangular, or a lognormal without bounds
        return []
    if mass >= MIN_MASS:
        return []
    fix = (f"narrow {spread}" if lo <= mu <= hi else f"move {centre_name} nearer [low, high] or widen {spread}")
    return [f"distribution: {what} has probability {mass:.2g} inside [low, high] = [{_g(lo)}, {_g(hi)}], below "
            f"{MIN_MASS:g}, too little to draw from honestly ({fix})"]


def support(dist: Any, integer: bool = False) -> tuple[float, float]:
    """Closed interval a draw lies in (a lognormal without `low` is open at 0: see in_support)."""
    lo = dist.low if dist.low is not None else 0.0  # only a lognormal may leave out low
    hi = dist.high if dist.high is not None else math.inf
    if integer:
        lo = 1 if dist.low is None else math.ceil(lo)
        hi = math.floor(hi) if math.isfinite(hi) else hi
    return float(lo), float(hi)


def in_support(dist: Any, x: float, integer: bool = False) -> bool:
    lo, hi = support(dist, integer)
    if integer and x != round(x):
        return False
    if dist.kind == "lognormal" and dist.low is None and x <= 0:
        return False
    return lo <= x <= hi


def _cdf(z: float) -> float:
    """Standard normal CDF through erfc, precise far into the lower tail (statistics'
    NormalDist.cdf goes through erf and is 0 below about -8.3)."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def _truncated_normal(u: float, mu: float, sd: float, lo: float, hi: float) -> float:
    """Inverse CDF of N(mu, sd) truncated to [lo, hi] at quantile u in [0, 1). An interval
    above the mean is reflected below it, where the CDF keeps its precision; an interval so
    far out that it holds no representable mass gives its point nearest the mean."""
    flip = lo > mu
    if flip:
        lo, hi = 2 * mu - hi, 2 * mu - lo
    plo, phi = _cdf((lo - mu) / sd), _cdf((hi - mu) / sd)
    p = plo + u * (phi - plo)
    x = NormalDist(mu, sd).inv_cdf(p) if phi > plo and 0.0 < p < 1.0 else min(max(mu, lo), hi)
    x = min(max(x, lo), hi)
    return 2 * mu - x if flip else x


def draw(dist: Any, value: float, rng: np.random.Generator, integer: bool = False) -> float:
    """One draw (exactly one uniform from `rng`, so every kind uses the stream alike)."""
    u = float(rng.random())
    kind = dist.kind
    if kind == "uniform":
        x = dist.low + u * (dist.high - dist.low)
    elif kind == "triangular":
        lo, hi, c = dist.low, dist.high, centre(dist, value)
        cut = (c - lo) / (hi - lo)
        x = lo + math.sqrt(u * (hi - lo) * (c - lo)) if u < cut else hi - math.sqrt((1 - u) * (hi - lo) * (hi - c))
    elif kind == "truncated_normal":
        x = _truncated_normal(u, centre(dist, value), dist.sd, dist.low, dist.high)
    else:
        lo = math.log(dist.low) if dist.low is not None else -math.inf
        hi = math.log(dist.high) if dist.high is not None else math.inf
        x = math.exp(_truncated_normal(u, math.log(centre(dist, value)), dist.sigma, lo, hi))
    lo, hi = support(dist, integer)
    if integer:
        return int(min(max(math.floor(x + 0.5), lo), hi))
    if dist.kind == "lognormal" and dist.low is None:
        x = max(x, math.ulp(0.0))
    return float(min(max(x, lo), hi))
