"""One history (issue 6): the baseline starts where `historical` lands in expectation, so the
two scenarios tell one story. Each synced stock of the baseline's initial state must sit inside
historical's 10-90 % range at that quarter, widened by a tolerance for the sampling noise of a
fast run."""

from __future__ import annotations

import pytest

from wargame.history import SYNCED, landing, value_at
from wargame.scenario import load_scenario

TOLERANCE = 0.15
SEEDS = 8


@pytest.fixture(scope="module")
def landed() -> dict:
    return landing(load_scenario("baseline").start_quarter, SEEDS)


@pytest.mark.parametrize("path", SYNCED)
def test_baseline_starts_where_history_lands(landed, path):
    median, lo, hi = landed[path]
    mine = float(value_at(load_scenario("baseline").start_world(), path))
    assert lo * (1 - TOLERANCE) <= mine <= hi * (1 + TOLERANCE), (
        f"baseline {path} = {mine:.4g}; historical lands at {median:.4g} ({lo:.4g}..{hi:.4g}) in "
        f"{load_scenario('baseline').start_quarter}: resync with `.venv/bin/python -m wargame.history`")


def test_the_record_agrees_at_the_seam():
    """The policy settings the record fixes at 2025Q1 are the same in both scenarios."""
    from wargame.runner import make_seats, play
    from wargame.session import GameSession

    base = load_scenario("baseline")
    s = GameSession(load_scenario("historical"), 0)
    play(s, make_seats(s), 8)
    assert s.quarter == base.start_quarter
    start = base.start_world()
    for path in ("us.threshold", "us.export_fee", "us.diffusion", "us.entity_list", "nvidia.china_chip", "nvidia.licensed_level",
                 "china.foreign_chip_policy", "asml.dutch_restriction", "huawei.generation"):
        assert value_at(s.world, path) == value_at(start, path), path
