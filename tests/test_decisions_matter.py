"""Decisions that matter (issue 6): swapping any seat's doctrine for `idle` or for `random`
moves at least one headline metric by 5 % or more in 2027 or 2030 (median of paired seeds),
and each hypothetical policy scenario moves the outcomes it is about in the expected direction.
One `wargame effects` run over 8 paired seeds serves every test here."""

from __future__ import annotations

import pytest

from wargame.effects import comparisons, effects

SEEDS = 8
THRESHOLD = 0.05


@pytest.fixture(scope="module")
def table() -> dict:
    return {c["name"]: c for c in effects(SEEDS)["comparisons"]}


def _largest(comparison: dict, years=("2027", "2030")) -> tuple[float, str]:
    cells = [(abs(e[y]["rel_change"]), f"{m} {y}") for m, e in comparison["effects"].items()
             for y in years if e[y]["rel_change"] is not None]
    return max(cells)


@pytest.mark.parametrize("name", [c.name for c in comparisons() if c.kind == "seat"])
def test_every_seat_swap_moves_a_headline_metric(table, name):
    size, where = _largest(table[name])
    assert size >= THRESHOLD, f"{name}: largest change {size:.1%} ({where})"


def _change(table: dict, name: str, metric: str, year: str) -> float:
    return table[name]["effects"][metric][year]["rel_change"]


def test_policy_scenarios_push_the_way_they_should(table):
    assert _change(table, "hbm-squeeze", "huawei_output_chips", "2027") < -THRESHOLD
    assert _change(table, "hbm-squeeze", "china_compute_stock_h100e", "2027") < 0
    assert _change(table, "no-controls", "china_compute_stock_h100e", "2027") > THRESHOLD
    assert _change(table, "no-controls", "us_china_output_ratio", "2027") < -THRESHOLD
    assert _change(table, "b30a-exports", "china_compute_stock_h100e", "2030") > 0
    assert _change(table, "b30a-exports", "smuggled_h100e", "2027") < 0  # the legal chip displaces smuggling
    assert _change(table, "smuggling-crackdown", "smuggled_h100e", "2026") < 0
    assert _change(table, "diffusion-rule-kept", "smuggled_h100e", "2026") < 0  # capped hubs divert less
