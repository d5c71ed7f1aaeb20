"""How the table prints a number: short enough for a projector. No pygame, so the pygame-free
views (ui/view.py, ui/intel.py) and the drawing code share one rule."""

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
