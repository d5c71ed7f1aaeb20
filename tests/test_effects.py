"""`wargame effects`: the comparisons it makes, year aggregation, the paired statistic, the JSON
contract, determinism across worker counts, and bad input.

Only a couple of comparisons are played for real (two seeds each), so the file stays fast;
the command's wiring over every comparison is checked with the games stubbed out. Nothing
here depends on the model's numbers.
"""

from __future__ import annotations

import json
import math
import zlib

import numpy as np
import pytest

import wargame.effects as fx
from wargame.cli import main
from wargame.scenario import builtin_names, load_scenario

HEADLINE_NAMES = {"china_compute_stock_h100e", "us_china_output_ratio", "huawei_output_chips", "smuggled_h100e",
                  "nvidia_china_revenue_usd_b"}
YEARS = ["2026", "2027", "2030"]
SUBSET = ["no-controls", "asml=random"]


@pytest.fixture(scope="module")
def small() -> dict:
    return fx.effects(2, workers=1, only=SUBSET)


# --- which comparisons ------------------------------------------------------------------------------


def test_every_hypothetical_scenario_is_compared_with_what_it_extends():
    comps = [c for c in fx.comparisons() if c.kind == "scenario"]
    hypothetical = sorted(n for n in builtin_names() if load_scenario(n).hypothetical)
    assert [c.name for c in comps] == [c.variant for c in comps] == hypothetical
    assert hypothetical, "some built-in scenario should be hypothetical"
    for c in comps:
        assert c.base == load_scenario(c.variant).extends
    assert "historical" not in hypothetical and "baseline" not in hypothetical
    assert {c.base for c in comps if c.variant == "no-controls"} <= {"historical"}


def test_every_baseline_seat_is_swapped_to_idle_and_to_random():
    comps = [c for c in fx.comparisons() if c.kind == "seat"]
    actors = load_scenario("baseline").actors
    assert len(comps) == 2 * len(actors) == 22
    assert {c.variant for c in comps} == {f"{a}={p}" for a in actors for p in ("idle", "random")}
    assert all(c.base == "baseline" and c.base_arm == ("baseline", ()) for c in comps)
    names = [c.name for c in fx.comparisons()]
    assert len(names) == len(set(names))


def test_an_override_that_restates_the_default_seat_is_the_base_arm():
    assert fx._arm("baseline", {"us": "doctrine"}) == fx._arm("baseline", {}) == ("baseline", ())
    assert fx._arm("baseline", {"us": "idle"}) == ("baseline", (("us", "idle"),))


# --- year aggregation -------------------------------------------------------------------------------


def _records() -> list[dict]:
    out = []
    for year in (2026, 2027):
        for q in range(1, 5):
            k = (year - 2026) * 4 + q  # 1..8
            out.append({"quarter": f"{year}Q{q}", "china_compute_stock_h100e": 100.0 * k,
                        "us_ai_chip_output_h100e": 10.0 * k, "china_ai_chip_output_h100e": 0.25 if year == 2027 else 1.0 * k,
                        "huawei_output_chips": float(k), "smuggled_h100e": 2.0, "nvidia_china_revenue_usd_b": 0.5 * k})
    out.append({**out[-1], "quarter": "2028Q1"})  # an incomplete year is left out
    return out


def test_year_aggregation_of_a_stock_a_flow_and_a_ratio():
    v = fx.year_values(_records())
    assert set(v) == HEADLINE_NAMES
    assert v["china_compute_stock_h100e"] == {2026: 400.0, 2027: 800.0}  # the Q4 value, not a sum
    assert v["huawei_output_chips"] == {2026: 10.0, 2027: 26.0}  # summed over the four quarters
    assert v["smuggled_h100e"][2026] == 8.0 and v["nvidia_china_revenue_usd_b"][2027] == 13.0
    assert v["us_china_output_ratio"][2026] == pytest.approx(100.0 / 10.0)  # ratio of the sums
    assert v["us_china_output_ratio"][2027] == pytest.approx(260.0 / 1.0)  # denominator floored at 1.0
    assert 2028 not in v["huawei_output_chips"]


# --- the statistic ------------------------------------------------------------------------------------


IDX = fx.bootstrap_indices(4)


def test_rel_change_is_the_median_paired_difference_over_the_base_median():
    base, variant = np.array([10.0, 10, 10, 10]), np.array([11.0, 12, 13, 14])
    assert fx.rel_change(base, variant) == pytest.approx(0.25)
    lo, hi = fx.ci95(base, variant, IDX)
    assert 0.1 <= lo <= 0.25 <= hi <= 0.4
    assert fx.ci95(base, variant, IDX) == [lo, hi], "deterministic"
    assert fx.rel_change(np.array([-10.0] * 4), np.array([-12.0] * 4)) == pytest.approx(-0.2), "divided by |base|"


def test_pairing_removes_the_seed_to_seed_spread():
    """Seeds that differ a thousandfold but all gain 10 %: every resample says 10 %."""
    base = np.array([1.0, 100.0, 1000.0, 10.0])
    assert fx.rel_change(base, base * 1.1) == pytest.approx(0.1)
    assert fx.ci95(base, base * 1.1, IDX) == pytest.approx([0.1, 0.1])


def test_no_change_is_zero_even_on_a_zero_base():
    zeros = np.zeros(4)
    assert fx.rel_change(zeros, zeros) == 0.0 and fx.ci95(zeros, zeros, IDX) == [0.0, 0.0]
    same = np.array([3.0, 1.0, 2.0, 5.0])
    assert fx.rel_change(same, same) == 0.0 and fx.ci95(same, same, IDX) == [0.0, 0.0]


def test_a_change_from_a_zero_base_is_undefined():
    base, variant = np.array([0.0, 0.0, 0.0, 5.0]), np.array([1.0, 1.0, 1.0, 6.0])
    assert fx.rel_change(base, variant) is None and fx.ci95(base, variant, IDX) is None
    cell = fx.effect(base, variant, IDX)
    assert cell == {"base": 0.0, "variant": 1.0, "rel_change": None, "ci95": None}
    json.dumps(cell, allow_nan=False)


def test_the_ci_is_undefined_when_too_many_resamples_have_a_zero_base():
    base, variant = np.array([0.0, 0.0, 4.0, 5.0]), np.array([1.0, 1.0, 5.0, 6.0])  # median base 2: defined
    assert fx.rel_change(base, variant) == pytest.approx(0.5)
    assert fx.ci95(base, variant, IDX) is None  # many resamples draw mostly the zero seeds


# --- real games ----------------------------------------------------------------------------------------


def test_json_contract(small):
    assert set(small) == {"seeds", "comparisons"} and small["seeds"] == 2
    assert [c["name"] for c in small["comparisons"]] == SUBSET
    nc, seat = small["comparisons"]
    assert (nc["kind"], nc["base"], nc["variant"]) == ("scenario", "historical", "no-controls")
    assert (seat["kind"], seat["base"], seat["variant"]) == ("seat", "baseline", "asml=random")
    for c in small["comparisons"]:
        assert set(c) == {"name", "kind", "base", "variant", "effects"}
        assert set(c["effects"]) == HEADLINE_NAMES
        for by_year in c["effects"].values():
            assert list(by_year) == YEARS
            for cell in by_year.values():
                assert set(cell) == {"base", "variant", "rel_change", "ci95"}
                assert all(isinstance(cell[k], float) and math.isfinite(cell[k]) for k in ("base", "variant"))
                assert cell["rel_change"] is None or math.isfinite(cell["rel_change"])
                if cell["ci95"] is not None:
                    assert len(cell["ci95"]) == 2 and cell["ci95"][0] <= cell["ci95"][1]
    json.dumps(small, allow_nan=False)


def test_results_do_not_depend_on_the_number_of_workers(small):
    assert fx.effects(2, workers=2, only=SUBSET) == small


def test_sampled_parameters_are_shared_by_base_and_variant(monkeypatch):
    seen = []
    real = fx.play_arm
    monkeypatch.setattr(fx, "play_arm", lambda task: seen.append(task) or real(task))
    fx.effects(2, sample_params=True, workers=1, only=["asml=idle"])
    assert sorted(seen) == sorted([("baseline", (), s, True) for s in (0, 1)] + [("baseline", (("asml", "idle"),), s, True) for s in (0, 1)])


def test_a_game_leaves_no_model_behind_in_mesa():
    import mesa

    before = len(mesa.Agent._ids)
    fx.play_arm(("baseline", (), 0, False))
    assert len(mesa.Agent._ids) == before


def test_unknown_comparison_names_are_refused():
    with pytest.raises(ValueError, match="atlantis"):
        fx.effects(2, only=["atlantis"])


# --- the command line ---------------------------------------------------------------------------------


def _fake_games(tasks, workers=None):
    """Stand-in for the games: a number per (arm, seed, metric, year), never zero."""
    width = len(fx.HEADLINE) * len(fx.YEARS)
    return [tuple(1.0 + zlib.crc32(repr(t[:2]).encode()) % 7 + t[2] + i for i in range(width)) for t in tasks]


def test_cli_json_covers_every_comparison(capsys, monkeypatch):
    monkeypatch.setattr(fx, "run_games", _fake_games)
    assert main(["effects", "--seeds", "3", "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    data = json.loads(out)
    assert data["seeds"] == 3
    assert [c["name"] for c in data["comparisons"]] == [c.name for c in fx.comparisons()]
    assert len([c for c in data["comparisons"] if c["kind"] == "seat"]) == 22


def test_cli_table(capsys, monkeypatch, small):
    monkeypatch.setattr(fx, "effects", lambda seeds, sample_params=False, workers=None: small)
    assert main(["effects", "--seeds", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "2 paired seeds" in lines[0] and "baseline" in lines[1]
    body = [ln for ln in lines if ln.startswith(tuple(SUBSET))]
    assert len(body) == len(SUBSET) * len(HEADLINE_NAMES)
    for ln in body:
        assert ln.count("%") >= 3 or "n/a" in ln
    marked = [(c["name"], m) for c in small["comparisons"] for m, by in c["effects"].items()
              if any(e["rel_change"] is not None and abs(e["rel_change"]) >= 0.05 for e in by.values())]
    assert sum(ln.rstrip().endswith("*") or " * " in ln for ln in body) == len(marked)


@pytest.mark.parametrize("argv,needle", [(["--seeds", "1"], "--seeds 1"), (["--seeds", "0"], "--seeds 0"),
                                         (["--workers", "0"], "--workers 0")])
def test_bad_arguments_exit_2_with_one_line(capsys, argv, needle):
    assert main(["effects", *argv]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wargame: ") and needle in lines[0]
    assert captured.out == "" and "Traceback" not in captured.err
