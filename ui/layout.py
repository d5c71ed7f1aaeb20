"""Where each part of the table goes, for any window size (designed at 1280x800, scaled)."""

from __future__ import annotations

from dataclasses import dataclass

import pygame


@dataclass(frozen=True)
class Layout:
    size: tuple[int, int]
    banner: pygame.Rect
    map: pygame.Rect
    charts: pygame.Rect
    ticker: pygame.Rect
    toolbar: pygame.Rect
    side: pygame.Rect  # under the toolbar: the facilitator's panel or the seats overview; a human's order form
    seated_map: pygame.Rect  # while a human orders: a shorter map ...
    seat: pygame.Rect  # ... above that seat's own panel (its state, intelligence, objectives, score)


def layout(size: tuple[int, int]) -> Layout:
    w, h = size
    banner_h, ticker_h, toolbar_h = 46, 38, 44
    side_w = max(420, int(w * 0.375))
    main_w = w - side_w
    body_top, body_bottom = banner_h, h - ticker_h
    map_h = int((body_bottom - body_top) * 0.62)
    seated_map_h = int((body_bottom - body_top) * 0.48)
    side_top = body_top + toolbar_h
    return Layout(
        size=size,
        banner=pygame.Rect(0, 0, w, banner_h),
        map=pygame.Rect(0, body_top, main_w, map_h),
        charts=pygame.Rect(0, body_top + map_h, main_w, body_bottom - body_top - map_h),
        ticker=pygame.Rect(0, body_bottom, w, ticker_h),
        toolbar=pygame.Rect(main_w, body_top, side_w, toolbar_h),
        side=pygame.Rect(main_w, side_top, side_w, body_bottom - side_top),
        seated_map=pygame.Rect(0, body_top, main_w, seated_map_h),
        seat=pygame.Rect(0, body_top + seated_map_h, main_w, body_bottom - body_top - seated_map_h),
    )
