"""The seat panel: what a seat sees of itself and of others (fog of war), estimates with ranges,
the facilitator's truth table, and a rendered screenshot of the panel beside the order form."""

from __future__ import annotations

import math

import numpy as np
import pygame
import pytest
from conftest import new_session

from ui import theme
from ui.intel import estimate_range, facilitator_rows, seat_summary
from ui.order_form import OrderForm
from ui.seat_panel import draw_facilitator_panel, draw_seat_panel
from wargame.metrics import HIDDEN_KEYS
from wargame.runner import play_turn

PANEL = pygame.Rect(10, 10, 740, 780)
FORM = pygame.Rect(760, 10, 510, 780)


@pytest.fixture(scope="module")
def played():
    """Baseline after one quarter of doctrine bots, so every seat has estimates and a score."""
    s, pol = new_session("baseline", seed=5)
    play_turn(s, pol)
    return s


def numbers_shown(texts: list[str]) -> str:
    return "\n".join(texts)


def test_estimate_range_is_a_90_percent_interval():
    rng = np.random.default_rng(1)
    sigma = 0.2
    truth = 1000.0
    z = rng.standard_normal(20000)
    estimates = truth * np.exp(sigma * z - 0.5 * sigma * sigma)
    inside = np.mean([lo <= truth <= hi for lo, hi in (estimate_range(e, sigma) for e in estimates)])
    assert 0.88 < inside < 0.92
    lo, hi = estimate_range(1.2e6, 0.2)
    assert lo < 1.2e6 < hi and math.isclose(math.log(hi) - math.log(lo), 2 * 1.6448536 * 0.2, rel_tol=1e-6)
    assert estimate_range(0.0, 0.2) == (0.0, 0.0)


def test_us_sees_estimates_with_ranges_and_never_the_true_smuggled_volume(played, screen):
    s = played
    obs = s.observe("us")
    summary = seat_summary(s, "us", obs)
    estimates = [r for r in summary.rows() if r.kind == "estimate"]
    assert estimates and all(r.value.startswith("intelligence estimate") and "(range " in r.value for r in estimates)
    smuggled = next(r for r in estimates if r.label.startswith("Chips smuggled"))
    est = obs.estimates["smuggled_h100e"]
    true = s.timeline[-1]["smuggled_h100e"]
    assert theme.fmt(est) in smuggled.value
    assert theme.fmt(true) != theme.fmt(est)
    assert theme.fmt(true) not in numbers_shown(summary.texts())
    # and not on screen either: every string drawn goes through theme.text's log
    theme.LOG.recording, theme.LOG.lines = True, []
    try:
        screen.fill(theme.BG)
        for scroll in range(0, 2000, 200):
            draw_seat_panel(screen, PANEL, summary, scroll)
        drawn = list(theme.LOG.lines)
    finally:
        theme.LOG.recording = False
    assert any(line.startswith("intelligence estimate") for line in drawn)
    assert not any(theme.fmt(true) in line for line in drawn)


@pytest.mark.parametrize("actor", ["us", "china", "nvidia", "huawei", "smic", "asml", "india", "smugglers"])
def test_a_seat_summary_reads_only_its_observation(played, actor):
    """Same observation, different hidden world: the summary does not change."""
    s = played
    obs = s.observe(actor)
    summary = seat_summary(s, actor, obs)
    # the world's hidden truths may change without the seat's panel changing
    s2 = pickle_copy(s)
    for key in ("smuggled_h100e", "huawei_output_chips", "china_compute_stock_h100e", "smic_yield"):
        s2.timeline[-1][key] = 123456.0
    s2.world.market.cumulative_smuggled_h100e += 1e6
    assert seat_summary(s2, actor, obs) == summary
    titles = [sec.title for sec in summary.sections]
    assert titles[0] == "Your position (private)" and titles[-1] == "Objectives and score"
    score = next(r for r in summary.rows() if r.kind == "score")
    assert f"{obs.last_record[f'score_{actor}']:.2f}" in score.value
    # no other seat's hidden figure is shown as a fact: hidden keys appear only as the seat's own or as estimates
    for key, owner in HIDDEN_KEYS.items():
        if key in obs.last_record:
            continue
        if key in s.timeline[-1] and isinstance(s.timeline[-1][key], float) and s.timeline[-1][key] > 1000:
            shown = [r.value for r in summary.rows() if r.kind != "estimate"]
            assert not any(theme.fmt(s.timeline[-1][key]) in v for v in shown), (actor, key, owner)


def pickle_copy(session):
    import pickle

    return pickle.loads(pickle.dumps(session))


def test_facilitator_rows_put_the_truth_beside_the_estimates(played, screen):
    s = played
    rows = facilitator_rows(s, "us", s.observe("us"))
    smuggled = next(r for r in rows if r.label.startswith("Chips smuggled"))
    assert theme.fmt(s.timeline[-1]["smuggled_h100e"]) in smuggled.truth
    assert smuggled.gap.endswith(("high", "low")) or smuggled.gap == "about right"
    theme.LOG.recording, theme.LOG.lines = True, []
    try:
        height = draw_facilitator_panel(screen, pygame.Rect(10, 10, 520, 780), rows)
        drawn = list(theme.LOG.lines)
    finally:
        theme.LOG.recording = False
    assert height > 0 and any(smuggled.truth in line for line in drawn)


def test_first_quarter_us_panel_shows_its_standing_intelligence(screen):
    s, _ = new_session("baseline", seed=5)
    summary = seat_summary(s, "us", s.observe("us"))
    labels = [r.label for r in summary.rows() if r.kind == "estimate"]
    assert "China's installed AI compute" in labels
    assert any(r.value == "none yet (first quarter)" for r in summary.rows() if r.kind == "score")


def test_long_panels_scroll_and_lines_are_never_cut(played, screen):
    summary = seat_summary(played, "us", played.observe("us"))
    small = pygame.Rect(10, 10, 420, 300)
    theme.LOG.recording, theme.LOG.lines = True, []
    try:
        height = draw_seat_panel(screen, small, summary, 0)
        top = list(theme.LOG.lines)
        theme.LOG.lines = []
        draw_seat_panel(screen, small, summary, height)
        bottom = list(theme.LOG.lines)
    finally:
        theme.LOG.recording = False
    assert height > small.h
    assert top != bottom and "Score last quarter" in bottom and "Score last quarter" not in top


def screen_rects() -> tuple[pygame.Rect, pygame.Rect]:
    """(seat panel, order form) where the app puts them (ui/layout.py), else a plain split."""
    try:
        from ui.layout import layout

        lay = layout((1280, 800))
        return pygame.Rect(lay.seat), pygame.Rect(lay.side)
    except (ImportError, AttributeError):
        return PANEL, FORM


def test_render_the_seat_screen(played, manager, screen):
    """The panel beside the form, saved to /tmp/seat_panel.png for a person to look at."""
    s = played
    actor = s.current_actor
    panel_rect, form_rect = screen_rects()
    form = OrderForm(manager, form_rect, s, actor, lambda move: s.submit(actor, move))
    manager.update(0.05)
    screen.fill(theme.BG)
    draw_seat_panel(screen, panel_rect, seat_summary(s, actor, s.observe(actor)))
    manager.draw_ui(screen)
    pygame.image.save(screen, "/tmp/seat_panel.png")
    for name, element in form.widgets.items():  # nothing of the form spills outside its rect
        assert form_rect.contains(element.rect), name
    form.kill()
    assert form.widgets == {}
