"""How a number is printed for people: short enough for a projector, a briefing or a plot's
axis. One rule for the table (ui/), the exercise kit (brief.py) and the Monte Carlo and
sensitivity plots."""

from __future__ import annotations


def short_number(value: float) -> str:
    """3 significant figures with k/M/B: 1234567 -> '1.23M', 0.004 -> '0.004'."""
    a = abs(value)
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{value / div:.3g}{suffix}"
    if a and a < 0.01:
        return f"{value:.2g}"
    return f"{value:.3g}"
