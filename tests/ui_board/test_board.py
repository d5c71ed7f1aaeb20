"""The board draws for every built-in scenario, at the projector size and a smaller window, before
any quarter is played and after the game is over; all its text goes through theme.text."""

from __future__ import annotations

import dataclasses
import time

import pygame
import pytest

from ui import theme
from ui.board import board_layout, draw_banner, draw_board, draw_map, draw_ticker, place_positions
from ui.charts import draw_chart, draw_charts
from ui.map_data import Projection
from ui.view import FACILITATOR, PUBLIC, NewsItem, board_view
from wargame.runner import make_seats, play
from wargame.scenario import builtin_names, load_scenario
from wargame.session import GameSession

SIZES = [(1280, 800), (1024, 640)]


def _distinct_colours(surface: pygame.Surface, step: int = 7) -> int:
    w, h = surface.get_size()
    return len({tuple(surface.get_at((x, y))) for x in range(0, w, step) for y in range(0, h, step)})


def _drawn_text(draw) -> list[str]:
    theme.LOG.clear()
    theme.LOG.recording = True
    try:
        draw()
    finally:
        theme.LOG.recording = False
    lines = list(theme.LOG.lines)
    theme.LOG.clear()
    return lines


@pytest.fixture(scope="module")
def games() -> dict[str, tuple[GameSession, GameSession]]:
    """Every built-in scenario at its start and played to its end (bots on every seat)."""
    out = {}
    for name in builtin_names():
        start = GameSession(load_scenario(name), 2)
        end = GameSession(load_scenario(name), 2)
        play(end, make_seats(end))
        out[name] = (start, end)
    return out


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("name", builtin_names())
def test_board_draws_at_start_and_end(screen, games, name, size):
    surface = screen if size == screen.get_size() else pygame.Surface(size)
    for session, viewer in ((games[name][0], "us"), (games[name][1], PUBLIC), (games[name][1], FACILITATOR)):
        view = board_view(session, viewer)
        surface.fill((0, 0, 0))
        lines = _drawn_text(lambda v=view: draw_board(surface, surface.get_rect(), v, 2500))
        assert _distinct_colours(surface) > 30, f"{name} {viewer}: blank board"
        assert any(view.quarter in line for line in lines)


def test_the_board_fills_its_parts(screen, games):
    session = games["baseline"][1]
    view = board_view(session, FACILITATOR)
    parts = board_layout(screen.get_rect())
    assert parts["banner"].bottom <= parts["map"].top and parts["map"].bottom <= parts["charts"].top
    assert parts["charts"].bottom <= parts["ticker"].top and parts["ticker"].bottom == 800
    for key, draw in (("map", draw_map), ("banner", draw_banner), ("charts", draw_charts)):
        screen.fill((0, 0, 0))
        draw(screen, parts[key], view)
        assert _distinct_colours(screen.subsurface(parts[key]), 5) > 3, key
    lines = _drawn_text(lambda: draw_map(screen, parts["map"], view))
    assert f"Flows in {view.flows_quarter}" in lines


@pytest.mark.parametrize("size", [(1280, 455), (1024, 356), (800, 443), (800, 343), (1600, 900)])
def test_every_place_is_inside_the_map(games, size):
    """Wide frames show the whole stage; narrow ones pin the United States at the left edge."""
    view = board_view(games["baseline"][1], FACILITATOR)
    rect = pygame.Rect((0, 0), size)
    at = place_positions(rect, view)
    assert all(rect.contains(pygame.Rect(x - 1, y - 1, 2, 2)) for x, y in at.values())
    proj = Projection(*size)
    if proj.pinned:
        assert at["united_states"][0] == proj.strip / 2
    else:
        assert at["united_states"] == pytest.approx(proj.xy(-98.0, 39.0))


def test_ticker_scrolls_and_keeps_hypothetical_labels(screen, games):
    view = board_view(games["baseline"][0], PUBLIC)
    news = (NewsItem("Hypothetical: a long inject that needs the ticker to scroll " * 3, "hypothetical"),
            NewsItem("A second item", "event"))
    view = dataclasses.replace(view, news=news)
    rect = pygame.Rect(0, 760, 1280, 40)
    lines = _drawn_text(lambda: draw_ticker(screen, rect, view, 0))
    assert any(line.startswith("Hypothetical:") for line in lines)
    before = pygame.image.tobytes(screen.subsurface(rect), "RGB")
    draw_ticker(screen, rect, view, 3000)
    assert pygame.image.tobytes(screen.subsurface(rect), "RGB") != before


def test_one_chart_at_results_size(games):
    surface = pygame.Surface((900, 500))
    series = board_view(games["baseline"][1], FACILITATOR).series[0]
    lines = _drawn_text(lambda: draw_chart(surface, surface.get_rect(), series))
    assert series.title in lines and series.quarters[0] in lines and series.quarters[-1] in lines


def test_frame_time_is_reported(screen, games):
    """Prints the cost of a full frame (never asserted: CI machines vary)."""
    view = board_view(games["baseline"][1], FACILITATOR)
    draw_board(screen, screen.get_rect(), view, 0)
    times = []
    for i in range(20):
        t = time.perf_counter()
        draw_board(screen, screen.get_rect(), view, i * 16)
        times.append(time.perf_counter() - t)
    print(f"\nfull board at 1280x800: median {sorted(times)[10] * 1000:.1f} ms a frame")
