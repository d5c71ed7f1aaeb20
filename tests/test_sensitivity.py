"""`wargame sensitivity`: SALib Sobol/Morris indices of final-turn outcomes to the uncertain parameters."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from wargame.cli import main
from wargame.sampling import sampled_names
from wargame.scenario import load_scenario

OUTCOMES = ("huawei_output_chips", "us_china_stock_ratio")
KEEP = ("packaging_max_growth_per_quarter", "cuda_bonus")  # the first drives Huawei's output; the second cannot


def run(capsys, *argv: str) -> tuple[int, dict | None, str]:
    code = main(["sensitivity", "--no-track", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 and "--json" in argv else None), err


def _file(out: Path) -> dict:
    """sensitivity.json without its `run` block: what --json prints."""
    obj = json.loads((out / "sensitivity.json").read_text())
    assert set(obj.pop("run")) == {"scenario", "samples", "seed", "games", "params", "final_quarter", "notes",
                                   "outcome_labels"}
    return obj


def _outcome_args() -> list[str]:
    return [a for m in OUTCOMES for a in ("--outcome", m)]


@pytest.fixture(scope="module")
def morris_runs(tmp_path_factory) -> dict[int, tuple[dict, Path]]:
    """The same small Morris run on baseline with 1 and with 2 workers."""
    out = {}
    for workers in (1, 2):
        d = tmp_path_factory.mktemp(f"morris{workers}")
        code = main(["sensitivity", "--no-track", "--method", "morris", "--samples", "2", "--workers", str(workers),
                     "--out", str(d), "--json", *_outcome_args()])
        assert code == 0
        out[workers] = (_file(d), d)
    return out


def _check_shape(obj: dict, method: str, params: list[str]) -> None:
    assert set(obj) == {"method", "outcomes"}
    assert obj["method"] == method
    assert list(obj["outcomes"]) == sorted(OUTCOMES)
    for rows in obj["outcomes"].values():
        assert sorted(r["param"] for r in rows) == sorted(params)
        for r in rows:
            assert set(r) == {"param", "index", "ci95"}
            assert math.isfinite(r["index"]) and r["index"] >= 0
            assert math.isfinite(r["ci95"]) and r["ci95"] >= 0
        idx = [r["index"] for r in rows]
        assert idx == sorted(idx, reverse=True)


def test_morris_on_baseline(morris_runs):
    obj, out = morris_runs[1]
    _check_shape(obj, "morris", sampled_names(load_scenario("baseline")))
    for m in OUTCOMES:
        assert (out / f"sensitivity_{m}.png").stat().st_size > 0
    ranks = {r["param"]: r["index"] for r in obj["outcomes"]["huawei_output_chips"]}
    assert ranks["cuda_bonus"] < ranks["packaging_max_growth_per_quarter"]


def test_results_do_not_depend_on_workers(morris_runs):
    assert morris_runs[1][0] == morris_runs[2][0]


def test_json_stdout_is_the_file(capsys, tmp_path, morris_runs):
    code, obj, _ = run(capsys, "--method", "morris", "--samples", "2", "--workers", "2", "--out", str(tmp_path), "--json",
                       *_outcome_args())
    assert code == 0
    assert obj == morris_runs[1][0]


@pytest.fixture
def small_scenario(tmp_path) -> Path:
    names = sampled_names(load_scenario("baseline"))
    path = tmp_path / "small.yaml"
    drop = {n: {"distribution": None} for n in names if n not in KEEP}
    path.write_text(yaml.safe_dump({"extends": "baseline", "name": "small", "parameters": drop}))
    assert sampled_names(load_scenario(str(path))) == sorted(KEEP)
    return path


def test_sobol_on_two_parameters(capsys, tmp_path, small_scenario):
    out = tmp_path / "sobol"
    code, obj, err = run(capsys, "--scenario", str(small_scenario), "--samples", "3", "--workers", "2", "--out", str(out),
                         "--json", *_outcome_args())
    assert code == 0
    assert "rounded up to 4" in err
    _check_shape(obj, "sobol", list(KEEP))
    rows = obj["outcomes"]["huawei_output_chips"]
    assert rows[0]["param"] == "packaging_max_growth_per_quarter"
    assert _file(out) == obj
    run_block = json.loads((out / "sensitivity.json").read_text())["run"]
    assert run_block["samples"] == 4 and run_block["games"] == 4 * (2 + 2) and run_block["params"] == sorted(KEEP)
    assert (out / "sensitivity_huawei_output_chips.png").exists()


def test_text_table(capsys, tmp_path, small_scenario):
    code = main(["sensitivity", "--no-track", "--scenario", str(small_scenario), "--samples", "2", "--workers", "1",
                 "--out", str(tmp_path), "--outcome", "huawei_output_chips"])
    out = capsys.readouterr()
    assert code == 0 and out.err == ""
    assert "`huawei_output_chips` in 2030Q4: total-order Sobol index ST" in out.out and "common random numbers" in out.out
    assert "Huawei Ascend output (chips per quarter)" in out.out
    assert out.out.index("packaging_max_growth_per_quarter") < out.out.index("cuda_bonus")


@pytest.mark.parametrize("argv, needle", [
    (["--outcome", "no_such_metric"], "--outcome no_such_metric: unknown metric"),
    (["--outcome", "huawei_output_limit"], "--outcome huawei_output_limit: a text metric"),  # refused before any game
    (["--samples", "1"], "--samples 1: must be at least 2"),
    (["--method", "morris", "--samples", "0"], "--samples 0: must be at least 2"),
    (["--workers", "0"], "--workers 0: must be at least 1"),
    (["--method", "fast"], "invalid choice"),
])
def test_bad_input(capsys, tmp_path, argv, needle):
    code = main(["sensitivity", "--no-track", "--out", str(tmp_path / "o"), *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err
    assert err.count("\n") == 1 and err.startswith("wargame: ")  # argparse's choices too: one line
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("where, needle", [("file", "is a file, not a directory"),
                                           ("file/sub", "is a file, so no directory can be made under it")])
def test_an_unusable_out_is_refused_before_playing(capsys, tmp_path, monkeypatch, where, needle):
    import wargame.sensitivity

    (tmp_path / "file").write_text("not a directory")
    monkeypatch.setattr(wargame.sensitivity, "play_all", lambda *a: pytest.fail("played before checking --out"))
    code = main(["sensitivity", "--no-track", "--samples", "2", "--out", str(tmp_path / where)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and f"sensitivity --out {tmp_path / where}: " in err and needle in err


def test_scenario_without_uncertainty(capsys, tmp_path):
    names = sampled_names(load_scenario("baseline"))
    path = tmp_path / "certain.yaml"
    path.write_text(yaml.safe_dump({"extends": "baseline", "name": "certain",
                                    "parameters": {n: {"distribution": None} for n in names}}))
    code, _, err = run(capsys, "--scenario", str(path), "--out", str(tmp_path / "o"))
    assert code == 2
    assert err.count("\n") == 1 and "no parameter has a distribution" in err


def test_tracking_failure_is_one_warning(capsys, tmp_path, small_scenario, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # nothing listens: fails fast
    code = main(["sensitivity", "--scenario", str(small_scenario), "--samples", "2", "--workers", "1",
                 "--out", str(tmp_path / "o"), "--json", "--outcome", "huawei_output_chips"])
    out = capsys.readouterr()
    assert code == 0
    assert out.err.count("\n") == 1 and out.err.startswith("wargame: warning: MLflow tracking failed")
    assert json.loads(out.out) == _file(tmp_path / "o")
    played = list((tmp_path / "o").glob("scenario-*.json"))  # the scenario as played, logged like mc's
    assert len(played) == 1 and json.loads(played[0].read_text())["name"] == load_scenario(str(small_scenario)).name


def test_sobol_intervals_repeat_at_seed_0():
    """SALib seeds its bootstrap only `if seed:`; seed 0 (the default) must still give the same CIs."""
    from wargame.sensitivity import analyse, unit_samples

    names = ["a", "b", "c"]
    X = unit_samples("sobol", names, 16, 0)
    y = X[:, 0] * 3 + X[:, 1] ** 2 + 0.1 * X[:, 2]
    first = analyse("sobol", names, X, y, 0)
    np.random.seed(12345)  # whatever else moved the global numpy state in between
    np.random.random(7)
    assert analyse("sobol", names, X, y, 0) == first
    assert analyse("sobol", names, X, y, 3) != first  # and the seed is still the bootstrap's seed


def test_notes_flag_what_the_ranking_cannot_bear():
    from wargame.sensitivity import notes_on

    flat = [{"param": "a", "index": 0.0, "ci95": 0.0}, {"param": "b", "index": 0.0, "ci95": 0.0}]
    wide = [{"param": "a", "index": 0.4, "ci95": 0.3}, {"param": "b", "index": 0.1, "ci95": 0.2},
            {"param": "c", "index": 0.01, "ci95": 0.5}]  # c trails: its CI does not count
    sharp = [{"param": "a", "index": 0.8, "ci95": 0.1}, {"param": "b", "index": 0.1, "ci95": 0.05}]
    noisy = [{"param": "a", "index": 1.3, "ci95": 0.2}, {"param": "b", "index": 0.1, "ci95": 0.05}]
    notes = notes_on("sobol", {"flat": flat, "wide": wide, "sharp": sharp, "noisy": noisy}, 64)
    assert "did not move" in notes["flat"]
    assert "too few samples" in notes["wide"] and "1 of the 2 leading indices has" in notes["wide"]
    assert "--samples 128" in notes["wide"]
    assert "sharp" not in notes
    assert "above 1" in notes["noisy"]
    assert "noisy" not in notes_on("morris", {"noisy": noisy}, 10)  # mu* is in the outcome's units: no bound of 1


def test_notes_advise_twice_the_samples_used_and_keep_every_note_that_applies():
    from wargame.sensitivity import notes_on

    wide = [{"param": "a", "index": 0.4, "ci95": 0.5}]
    assert "use --samples 48 or more" in notes_on("morris", {"m": wide}, 24)["m"]  # not 2 x the default 10
    assert "use --samples 512 or more" in notes_on("sobol", {"m": wide}, 256)["m"]
    both = [{"param": "a", "index": 1.2, "ci95": 1.5}, {"param": "b", "index": 0.3, "ci95": 0.1}]
    note = notes_on("sobol", {"m": both}, 64)["m"]
    assert "too few samples" in note and "; " in note and "above 1" in note
    flat = [{"param": "a", "index": 0.0, "ci95": 0.0}]
    assert notes_on("sobol", {"m": flat}, 64)["m"] == (
        "the parameters did not move this outcome in any sample: every index is 0")


def test_text_table_reads_like_the_mc_summary():
    from wargame.sensitivity import text_table

    obj = {"method": "morris", "outcomes": {"smuggled_h100e": [
        {"param": "a", "index": 8_733_000.0, "ci95": 13_400_000.0}, {"param": "c", "index": 16.0, "ci95": 1.0},
        {"param": "b", "index": 0.0, "ci95": None}]}}
    text = text_table(obj, {"smuggled_h100e": "too few samples"})
    assert "8.73M" in text and "± 13.4M" in text and "e+0" not in text
    assert "~0  ± ~0" in text  # 16 beside 8.73M
    assert "± n/a" in text and "note: too few samples" in text
    assert "Morris mu* (H100e per quarter per unit of quantile range)" in text
