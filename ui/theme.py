"""Colours, fonts and the one text-drawing function every screen uses.

Sizes are chosen for a projector at 1280x800: body text 18 px, never below 15 px. Fonts ship in
ui/assets/fonts (DejaVu, free licence in LICENSE-DejaVu.txt), so nothing is looked up on the
system or downloaded. Every string drawn goes through `text()`, which can record what was
rendered: the hot-seat tests read that log to prove a hidden seat's numbers never reached
the screen.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pygame

from wargame.numbers import short_number

ASSETS = Path(__file__).parent / "assets"
FONTS = ASSETS / "fonts"

# a dark, high-contrast palette: it survives a washed-out classroom projector
BG = (18, 24, 33)
PANEL = (30, 38, 50)
PANEL_EDGE = (62, 76, 96)
SEA = (22, 40, 60)
LAND = (52, 66, 60)
LAND_EDGE = (84, 104, 94)
TEXT = (236, 240, 245)
MUTED = (160, 172, 188)
ACCENT = (255, 196, 64)
GOOD = (110, 210, 130)
BAD = (240, 100, 90)
ESTIMATE = (150, 190, 255)  # intelligence estimates are always drawn in this colour, with a range
US_BLUE = (90, 150, 255)
CHINA_RED = (235, 85, 75)
NEUTRAL = (200, 200, 120)

ACTOR_COLOURS: dict[str, tuple[int, int, int]] = {
    "us": US_BLUE, "nvidia": (118, 200, 90), "asml": (90, 200, 220),
    "china": CHINA_RED, "huawei": (240, 130, 90), "smic": (230, 160, 190),
    "smugglers": (190, 150, 230),
}

SIZE_SMALL, SIZE_BODY, SIZE_HEAD, SIZE_TITLE = 15, 18, 22, 30


@functools.cache
def font(size: int = SIZE_BODY, bold: bool = False, condensed: bool = False) -> pygame.font.Font:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSansCondensed.ttf" if condensed else "DejaVuSans.ttf"
    return pygame.font.Font(str(FONTS / name), size)


def actor_colour(actor: str) -> tuple[int, int, int]:
    return ACTOR_COLOURS.get(actor, NEUTRAL)


class TextLog:
    """What `text()` drew since the last `clear()`, when recording (tests and screenshots)."""

    def __init__(self) -> None:
        self.recording = False
        self.lines: list[str] = []

    def clear(self) -> None:
        self.lines = []


LOG = TextLog()


def text(surface: pygame.Surface, s: str, pos: tuple[int, int], size: int = SIZE_BODY, colour=TEXT,
         bold: bool = False, anchor: str = "topleft", max_width: int | None = None, condensed: bool = False) -> pygame.Rect:
    """Draw one line; with `max_width`, shorten it with an ellipsis rather than let it clip."""
    f = font(size, bold, condensed)
    if max_width is not None and f.size(s)[0] > max_width:
        while s and f.size(s + "…")[0] > max_width:
            s = s[:-1]
        s += "…"
    if LOG.recording:
        LOG.lines.append(s)
    img = f.render(s, True, colour)
    rect = img.get_rect(**{anchor: pos})
    surface.blit(img, rect)
    return rect


def wrap(s: str, width: int, size: int = SIZE_BODY, bold: bool = False) -> list[str]:
    """Greedy word wrap to a pixel width, breaking at plain spaces only (a no-break space keeps
    '32 %' together)."""
    f = font(size, bold)
    lines, line = [], ""
    for word in (w for w in s.split(" ") if w):
        trial = f"{line} {word}".strip()
        if f.size(trial)[0] <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def panel(surface: pygame.Surface, rect: pygame.Rect, title: str | None = None) -> pygame.Rect:
    """A framed panel; returns the inner rect below its title."""
    pygame.draw.rect(surface, PANEL, rect, border_radius=6)
    pygame.draw.rect(surface, PANEL_EDGE, rect, 1, border_radius=6)
    inner = rect.inflate(-16, -12)
    if title:
        r = text(surface, title, (inner.x, inner.y), SIZE_HEAD, ACCENT, bold=True, max_width=inner.w)
        inner = pygame.Rect(inner.x, r.bottom + 6, inner.w, inner.bottom - r.bottom - 6)
    return inner


def fmt(value: float) -> str:
    """A number short enough for a projector (wargame/numbers.py)."""
    return short_number(value)
