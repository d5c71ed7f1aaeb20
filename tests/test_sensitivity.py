"""`wargame sensitivity`: SALib Sobol/Morris indices of final-turn outcomes to the uncertain parameters."""

from __future__ import annotations

import json
import math
from pathlib import Path

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
        out[workers] = (json.loads((d / "sensitivity.json").read_text()), d)
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
    assert json.loads((out / "sensitivity.json").read_text()) == obj
    assert (out / "sensitivity_huawei_output_chips.png").exists()


def test_text_table(capsys, tmp_path, small_scenario):
    code = main(["sensitivity", "--no-track", "--scenario", str(small_scenario), "--samples", "2", "--workers", "1",
                 "--out", str(tmp_path), "--outcome", "huawei_output_chips"])
    out = capsys.readouterr()
    assert code == 0 and out.err == ""
    assert "huawei_output_chips (ST" in out.out and "common random numbers" in out.out
    assert out.out.index("packaging_max_growth_per_quarter") < out.out.index("cuda_bonus")


@pytest.mark.parametrize("argv, needle", [
    (["--outcome", "no_such_metric"], "--outcome no_such_metric: unknown metric"),
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
    assert json.loads(out.out) == json.loads((tmp_path / "o" / "sensitivity.json").read_text())
