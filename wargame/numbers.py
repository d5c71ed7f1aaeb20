"""How a number is printed for people: short enough for a projector, a briefing or a plot's
axis. One rule for the table (ui/), the exercise kit (brief.py) and the Monte Carlo and
sensitivity plots."""

from __future__ import annotations

import math


def short_number(value: float) -> str:
    """3 significant figures with k/M/B/T: 1234567 -> '1.23M', 0.004 -> '0.004'."""
    a = abs(value)
    if not math.isfinite(a):
        return f"{value}"  # 'nan', 'inf', '-inf': not 'infB'
    if a >= 999.5:  # the suffix of the rounded figure: 999,600 is '1M', never '1e+03k'
        a = float(f"{a:.3g}")
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{value / div:.3g}{suffix}"
    if a and a < 0.01:
        return f"{value:.2g}"
    return f"{value:.3g}"


_SUFFIXES = ((1e9, "B", 9), (1e6, "M", 6), (1e3, "k", 3))


def aligned_numbers(values) -> list[str]:
    """Figures that sit side by side (one metric's mean and percentiles, a difference and its
    CI) at one absolute precision: three significant figures of the largest magnitude, with
    k/M/B. A figure that rounds to zero at that precision prints '~0' (an exact zero '0'), so
    0.00035 beside 5.68 does not claim a precision the row does not have; None prints 'n/a'.
    [41712, 5.9, 21500, 100400] -> ['42k', '~0', '22k', '100k']."""
    finite = [abs(v) for v in values if v is not None and math.isfinite(v)]
    top = max(finite, default=0.0)
    if top < 1e-3:  # nothing but tiny figures (or zeros): each its own short form
        return ["n/a" if v is None else ("0" if v == 0 else short_number(v)) for v in values]
    top = float(f"{top:.3g}")  # 999.7 rounds to 1.00k, not 1.000k
    exp = math.floor(math.log10(top)) - 2  # the last digit kept: 3 significant figures of the largest
    step = 10.0 ** exp
    out = []
    for v in values:
        if v is None:
            out.append("n/a")
        elif not math.isfinite(v):
            out.append(short_number(v))
        elif v == 0:
            out.append("0")
        else:
            r = round(v / step) * step
            if r == 0:
                out.append("~0")
                continue
            div, suffix, power = next(((d, s, p) for d, s, p in _SUFFIXES if abs(r) >= d), (1.0, "", 0))
            out.append(f"{r / div:.{max(0, power - exp)}f}{suffix}")
    return out
