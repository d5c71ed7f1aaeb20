"""Draw a seat's panel (its own position, intelligence estimates, objectives, score) and the
facilitator's estimate-against-truth table. Plain pygame through theme.text, so the hot-seat
tests can read what reached the screen.

Text wraps to the panel's width rather than being clipped; a long panel scrolls by `scroll`
pixels and draws a scroll bar. Both functions return the content's full height so the caller
can bound the scroll offset.
"""

from __future__ import annotations

import pygame

from ui import theme
from ui.intel import FacilitatorRow, SeatSummary

LABEL_SIZE = 16
VALUE_SIZE = theme.SIZE_BODY
LINE_GAP = 3
INDENT = 14
SECTION_GAP = 10
TWO_COLUMNS_W, COLUMN_GAP = 640, 24
COLOURS = {"own": theme.TEXT, "estimate": theme.ESTIMATE, "public": theme.TEXT, "score": theme.ACCENT, "note": theme.MUTED,
           "reading": theme.ESTIMATE}  # "reading": an estimate on one line beside its label (the facilitator's table)


def _lines(surface: pygame.Surface, lines: list[str], x: int, y: int, size: int, colour, clip: pygame.Rect,
           bold: bool = False, width: int | None = None) -> int:
    """Draw wrapped lines from y; only those inside `clip` reach the surface. Returns the next y."""
    f = theme.font(size, bold)
    step = f.get_linesize() + LINE_GAP
    for line in lines:
        if _visible(y, f.get_linesize(), clip):
            theme.text(surface, line, (x, y), size, colour, bold=bold, max_width=width)
        y += step
    return y


def _visible(y: int, h: int, clip: pygame.Rect) -> bool:
    """Only whole lines are drawn: a line cut by the panel's edge waits for the scroll."""
    return y >= clip.top and y + h <= clip.bottom


def _row(surface: pygame.Surface, label: str, value: str, kind: str, x: int, y: int, w: int, clip: pygame.Rect) -> int:
    """A label and its value: on one line when both fit, else the label and then the value
    wrapped beneath it, indented."""
    colour = COLOURS.get(kind, theme.TEXT)
    if kind == "note":
        head = _lines(surface, [label], x, y, LABEL_SIZE, theme.MUTED, clip, bold=True, width=w)
        return _lines(surface, theme.wrap(value, w - INDENT, LABEL_SIZE), x + INDENT, head, LABEL_SIZE, colour, clip, width=w - INDENT)
    lw = theme.font(LABEL_SIZE).size(label)[0]
    vw = theme.font(VALUE_SIZE, kind == "score").size(value)[0]
    if kind != "estimate" and lw + 16 + vw <= w:
        h = max(theme.font(LABEL_SIZE).get_linesize(), theme.font(VALUE_SIZE).get_linesize())
        if _visible(y, h, clip):
            theme.text(surface, label, (x, y + 2), LABEL_SIZE, theme.MUTED, max_width=w)
            theme.text(surface, value, (x + w, y), VALUE_SIZE, colour, bold=kind == "score", anchor="topright", max_width=w - lw - 16)
        return y + h + LINE_GAP
    y = _lines(surface, theme.wrap(label, w, LABEL_SIZE), x, y, LABEL_SIZE, theme.MUTED, clip, width=w)
    return _lines(surface, theme.wrap(value, w - INDENT, VALUE_SIZE), x + INDENT, y, VALUE_SIZE, colour, clip,
                  bold=kind == "score", width=w - INDENT)


def _scrollbar(surface: pygame.Surface, inner: pygame.Rect, content: int, scroll: int) -> None:
    if content <= inner.h:
        return
    track = pygame.Rect(inner.right + 3, inner.y, 4, inner.h)
    pygame.draw.rect(surface, theme.PANEL_EDGE, track, border_radius=2)
    h = max(24, inner.h * inner.h // content)
    top = inner.y + (inner.h - h) * scroll // max(1, content - inner.h)
    pygame.draw.rect(surface, theme.ACCENT, (track.x, top, track.w, h), border_radius=2)


def _section(surface: pygame.Surface, section, x: int, w: int, top: int, clip: pygame.Rect) -> int:
    """One section at (x, top) in width w; returns its height."""
    estimate = any(r.kind == "estimate" for r in section.rows)
    colour = theme.ESTIMATE if estimate else theme.ACCENT
    y = _lines(surface, [section.title], x, top, VALUE_SIZE, colour, clip, bold=True, width=w)
    for row in section.rows:
        y = _row(surface, row.label, row.value, row.kind, x, y, w, clip)
    return y + SECTION_GAP - top


def _columns(surface: pygame.Surface, summary: SeatSummary, inner: pygame.Rect) -> list[list]:
    """Sections in reading order in one column, or in a wide panel in two: each section goes to
    the shorter column, so the first two (the seat's position and its intelligence) sit side by
    side at the top and a short, wide panel scrolls less."""
    if inner.w < TWO_COLUMNS_W or len(summary.sections) < 2:
        return [list(summary.sections)]
    w = (inner.w - COLUMN_GAP) // 2
    none = pygame.Rect(0, 0, 0, 0)
    cols: list[list] = [[], []]
    heights = [0, 0]
    for section in summary.sections:
        i = 0 if heights[0] <= heights[1] else 1
        cols[i].append(section)
        heights[i] += _section(surface, section, 0, w, 0, none)
    return cols


def _seat_content(surface: pygame.Surface, inner: pygame.Rect, summary: SeatSummary, top: int, clip: pygame.Rect) -> int:
    cols = _columns(surface, summary, inner)
    w = inner.w if len(cols) == 1 else (inner.w - COLUMN_GAP) // 2
    height = 0
    for i, col in enumerate(cols):
        x = inner.x + i * (w + COLUMN_GAP)
        y = top
        for section in col:
            y += _section(surface, section, x, w, y, clip)
        height = max(height, y - top)
    return height


def _facilitator_content(surface: pygame.Surface, inner: pygame.Rect, rows: list[FacilitatorRow], top: int,
                         clip: pygame.Rect) -> int:
    y = top
    if not rows:
        y = _lines(surface, ["This seat has no estimates yet."], inner.x, y, LABEL_SIZE, theme.MUTED, clip, width=inner.w)
    for r in rows:
        y = _lines(surface, theme.wrap(r.label, inner.w, LABEL_SIZE, bold=True), inner.x, y, LABEL_SIZE, theme.TEXT, clip,
                   bold=True, width=inner.w)
        y = _row(surface, "seat's estimate", r.estimate, "reading", inner.x + INDENT, y, inner.w - INDENT, clip)
        truth = f"{r.truth} ({r.gap})" if r.gap else r.truth
        y = _row(surface, "truth", truth, "score", inner.x + INDENT, y, inner.w - INDENT, clip)
        y += 6
    return y - top


def _scrolled(surface: pygame.Surface, rect: pygame.Rect, title: str, content, scroll: int) -> int:
    """Frame the panel, measure the content (a pass that draws nothing), clamp the scroll so the
    last line can reach the bottom but no further, then draw the visible lines."""
    inner = theme.panel(surface, rect, title)
    inner = pygame.Rect(inner.x, inner.y, inner.w - 8, inner.h)  # room for the scroll bar
    height = content(inner, inner.y, pygame.Rect(0, 0, 0, 0))
    scroll = max(0, min(scroll, height - inner.h))
    old_clip = surface.get_clip()
    surface.set_clip(inner)
    content(inner, inner.y - scroll, inner)
    surface.set_clip(old_clip)
    _scrollbar(surface, inner, height, scroll)
    return height


def draw_seat_panel(surface: pygame.Surface, rect: pygame.Rect, summary: SeatSummary, scroll: int = 0) -> int:
    """The seat's private panel, scrolled down by `scroll` pixels. Returns the content height."""
    return _scrolled(surface, rect, summary.title,
                     lambda inner, top, clip: _seat_content(surface, inner, summary, top, clip), scroll)


def draw_facilitator_panel(surface: pygame.Surface, rect: pygame.Rect, rows: list[FacilitatorRow], scroll: int = 0,
                           title: str = "Estimates against the truth") -> int:
    """For the facilitator's screen only: each estimate of a seat beside the hidden truth."""
    return _scrolled(surface, rect, title, lambda inner, top, clip: _facilitator_content(surface, inner, rows, top, clip), scroll)
