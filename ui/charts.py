"""Small line charts of the headline series: history, current value, and estimates marked as such.

An estimate (a seat's view of a number it cannot see) is drawn dashed in theme.ESTIMATE, never
in the colour of a true figure, so a player cannot mistake intelligence for fact.
"""

from __future__ import annotations

import math

import pygame

from ui import theme
from ui.view import BoardView, Series, fmt_number, fmt_value

SERIES_COLOURS: dict[str, tuple[int, int, int]] = {
    "us_china_stock_ratio": theme.US_BLUE,
    "us_compute_stock_h100e": theme.US_BLUE,
    "china_self_sufficiency": theme.CHINA_RED,
    "nvidia_china_share": theme.actor_colour("nvidia"),
    "nvidia_china_revenue_usd_b": theme.actor_colour("nvidia"),
    "smuggled_h100e": theme.actor_colour("smugglers"),
    "smuggled_received": theme.actor_colour("smugglers"),
    "seized_h100e": (255, 110, 110),
}


def _axis_label(value: float, unit: str) -> str:
    if unit == "share":
        return f"{100 * value:.0f}%"
    if unit == "$B":
        return f"${value:.3g}B"
    if unit == "ratio":
        return f"{value:.3g}×"
    return fmt_number(value)


def _top(values: list[float], unit: str) -> float:
    """A round upper bound for the y axis (shares stop at 100 %)."""
    hi = max(values) if values else 0.0
    if unit == "share":
        return 1.0 if hi > 0.5 or not values else max(0.1, math.ceil(hi * 10 + 0.5) / 10)
    if hi <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(hi))
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * step >= hi * 1.05:
            return m * step
    return 10 * step


def _dashed(surface, colour, pts, width: int = 3, dash: float = 7.0, gap: float = 5.0) -> None:
    on, left = True, dash
    for a, b in zip(pts, pts[1:], strict=False):
        d = math.dist(a, b)
        at = 0.0
        while at < d:
            step = min(left, d - at)
            p0 = (a[0] + (b[0] - a[0]) * at / d, a[1] + (b[1] - a[1]) * at / d)
            p1 = (a[0] + (b[0] - a[0]) * (at + step) / d, a[1] + (b[1] - a[1]) * (at + step) / d)
            if on:
                pygame.draw.line(surface, colour, p0, p1, width)
            at += step
            left -= step
            if left <= 1e-9:
                on = not on
                left = dash if on else gap


def _header(surface: pygame.Surface, inner: pygame.Rect, series: Series, colour, big: bool) -> int:
    """Title, note, latest value and its quarter; returns the y where the plot may start. A short
    cell puts the value on the title's line."""
    latest = series.latest
    value = "no figure yet" if latest is None else fmt_value(latest, series.unit)
    if latest is not None and series.estimate:
        value = f"≈ {value}"
    value_colour = colour if latest is not None else theme.MUTED
    when = series.quarters[-1] if series.quarters and series.values[-1] is not None else ""
    note_colour = theme.ESTIMATE if series.estimate else theme.MUTED
    small = theme.font(theme.SIZE_SMALL)
    title_size = theme.SIZE_HEAD if big else theme.SIZE_BODY
    # a short cell puts the value on the title's line, if both fit there whole
    beside = theme.font(theme.SIZE_BODY, True).size(value)[0] + 14 + theme.font(theme.SIZE_SMALL, True).size(series.title)[0]
    compact = inner.h < 190 and beside <= inner.w
    room = inner.w - (theme.font(theme.SIZE_BODY, True).size(value)[0] + 14 if compact else 0)
    if theme.font(title_size, True).size(series.title)[0] > room:
        title_size = theme.SIZE_SMALL  # a narrow cell: a smaller title rather than a cut one
    r = theme.text(surface, series.title, inner.topleft, title_size, theme.TEXT, bold=True, max_width=room)
    if compact:
        theme.text(surface, value, (inner.right, r.centery), theme.SIZE_BODY, value_colour, bold=True, anchor="midright")
    y = r.bottom + 1
    if series.note or (compact and when):
        note_room = inner.w - (small.size(when)[0] + 12 if compact and when else 0)
        r = theme.text(surface, series.note, (inner.x, y), theme.SIZE_SMALL, note_colour, max_width=note_room) \
            if series.note else pygame.Rect(inner.x, y, 0, small.get_linesize())
        if compact and when:
            theme.text(surface, when, (inner.right, r.centery), theme.SIZE_SMALL, theme.MUTED, anchor="midright")
        y = r.bottom + 2
    if compact:
        return y + 4
    r = theme.text(surface, value, (inner.x, y), theme.SIZE_TITLE if big else theme.SIZE_HEAD, value_colour, bold=True,
                   max_width=inner.w)
    if when and r.right + 12 + small.size(when)[0] <= inner.right:
        theme.text(surface, when, (inner.right, r.centery), theme.SIZE_SMALL, theme.MUTED, anchor="midright")
    return r.bottom + 6


def draw_chart(surface: pygame.Surface, rect: pygame.Rect, series: Series) -> None:
    """One framed chart: title, why this series (if it stands in for a hidden one), the latest
    value, and the history with its first and last quarter and a zero-based y axis."""
    rect = pygame.Rect(rect)
    pygame.draw.rect(surface, theme.PANEL, rect, border_radius=6)
    pygame.draw.rect(surface, theme.PANEL_EDGE, rect, 1, border_radius=6)
    inner = rect.inflate(-16, -10)
    if inner.w < 100 or inner.h < 40:  # no room for a legible chart
        return
    big = rect.h >= 320
    colour = theme.ESTIMATE if series.estimate else SERIES_COLOURS.get(series.key, theme.ACCENT)
    y = _header(surface, inner, series, colour, big)

    f = theme.font(theme.SIZE_SMALL)
    line = f.get_linesize()
    known = [v for v in series.values if v is not None]
    top = _top(known, series.unit)
    plot_h = inner.bottom - y - line * 3 // 2 - 2
    # as many y labels as fit without touching: top, middle and zero, or top and zero
    fractions = (0.0, 0.5, 1.0) if plot_h >= 3 * line else (0.0, 1.0) if plot_h >= line + 4 else ()
    labels = [(fr, _axis_label(top * (1 - fr), series.unit)) for fr in fractions]
    axis_w = max((f.size(s)[0] for _, s in labels), default=0) + 6
    plot = pygame.Rect(inner.x + axis_w, y + line // 2, inner.w - axis_w, plot_h)
    if plot.h < 12 or plot.w < 30:
        return
    for fr, s in labels:
        gy = plot.y + int(plot.h * fr)
        pygame.draw.line(surface, theme.PANEL_EDGE, (plot.x, gy), (plot.right, gy))
        theme.text(surface, s, (plot.x - 6, gy), theme.SIZE_SMALL, theme.MUTED, anchor="midright")
    if not series.quarters:
        theme.text(surface, "no quarter resolved yet", plot.center, theme.SIZE_SMALL, theme.MUTED, anchor="center",
                   max_width=plot.w)
        return
    if len(series.quarters) == 1:
        theme.text(surface, series.quarters[0], (plot.centerx, plot.bottom + 2), theme.SIZE_SMALL, theme.MUTED, anchor="midtop")
    else:
        theme.text(surface, series.quarters[0], (plot.x, plot.bottom + 2), theme.SIZE_SMALL, theme.MUTED)
        theme.text(surface, series.quarters[-1], (plot.right, plot.bottom + 2), theme.SIZE_SMALL, theme.MUTED, anchor="topright")
    n = len(series.values)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = plot.centerx if n == 1 else plot.x + plot.w * i / (n - 1)
        return x, plot.bottom - plot.h * max(0.0, min(v, top)) / top

    runs: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(series.values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(xy(i, v))
    width = 3 if big else 2
    for pts in runs:
        if len(pts) >= 2:
            if series.estimate:
                _dashed(surface, colour, pts, width)
            else:
                pygame.draw.lines(surface, colour, False, pts, width)
    last = next(((i, v) for i, v in reversed(list(enumerate(series.values))) if v is not None), None)
    if last is not None:
        pygame.draw.circle(surface, colour, [int(c) for c in xy(*last)], 4)


def chart_grid(rect: pygame.Rect, n: int = 4) -> list[pygame.Rect]:
    """2 x 2 cells, or one row (or column) when the space is long and thin."""
    rect = pygame.Rect(rect)
    gap = 8
    aspect = rect.w / max(1, rect.h)
    cols, rows = (n, 1) if aspect > 3.0 else (1, n) if aspect < 0.45 else (2, (n + 1) // 2)
    w = (rect.w - gap * (cols - 1)) // cols
    h = (rect.h - gap * (rows - 1)) // rows
    return [pygame.Rect(rect.x + (i % cols) * (w + gap), rect.y + (i // cols) * (h + gap), w, h) for i in range(n)]


def draw_charts(surface: pygame.Surface, rect: pygame.Rect, view: BoardView) -> None:
    for cell, series in zip(chart_grid(rect, len(view.series)), view.series, strict=True):
        draw_chart(surface, cell, series)
