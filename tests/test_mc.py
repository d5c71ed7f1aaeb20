"""`wargame mc`: Monte Carlo experiments.

Determinism across workers, resume after SIGKILL, MLflow tracking into a real SQLite store and
against a dead server, common random numbers between arms, Latin-hypercube stratification,
bad flags and the --json contract. Small runs; most cases call `main` in-process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.dataset as ds
import pytest

from wargame.cli import main
from wargame.distributions import is_integer_parameter
from wargame.mc.command import DASK_MISSING
from wargame.mc.experiment import game_seed
from wargame.mc.report import plot_labels
from wargame.metrics import CONTRACT_KEYS
from wargame.sampling import draw_at_quantiles
from wargame.scenario import SCENARIO_DIR, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SUMMARY_KEYS = {"mean", "p10", "p50", "p90"}


def mc(capsys, *argv: str) -> tuple[int, dict | None, str]:
    code = main(["mc", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 and "--json" in argv else None), err


def table(path: Path, name: str):
    return ds.dataset(str(path / name), format="parquet").to_table().to_pandas().sort_values(["arm_index", "run"] + (
        ["turn"] if name == "turns" else [])).reset_index(drop=True)


def subprocess_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    return {**env, **extra}


def test_seed_formula_is_documented_and_independent_of_workers():
    assert game_seed(0, 5) == 5
    assert game_seed(2, 3) == 2 * 1_000_003 + 3


def test_same_results_for_one_or_two_workers(capsys, tmp_path):
    args = ("--runs", "10", "--chunk-size", "3", "--sample-params", "--no-track", "--json")
    c1, r1, _ = mc(capsys, *args, "--workers", "1", "--out", str(tmp_path / "w1"))
    c2, r2, _ = mc(capsys, *args, "--workers", "2", "--out", str(tmp_path / "w2"))
    assert c1 == c2 == 0
    assert r1["results_hash"] == r2["results_hash"]
    for name in ("runs", "turns"):
        t1, t2 = table(tmp_path / "w1", name), table(tmp_path / "w2", name)
        assert len(t1) == (10 if name == "runs" else 10 * 24)
        assert t1.equals(t2)
    runs = table(tmp_path / "w1", "runs")
    assert list(runs["seed"]) == [game_seed(0, i) for i in range(10)]
    assert any(c.startswith("param.") for c in runs.columns)
    assert (tmp_path / "w1" / "summary.md").read_text().count("P(US+allies:China compute stock ratio < 10)") == 1
    assert {p.name for p in (tmp_path / "w1" / "plots").iterdir()} == {"fan_baseline.png", "final_hist.png"}


def test_resume_after_sigkill_gives_the_uninterrupted_results(capsys, tmp_path):
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "wargame", "mc", "--runs", "24", "--chunk-size", "2", "--workers", "2",
           "--no-track", "--json", "--out", str(out)]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not list((out / "runs").glob("part-*.parquet")):
            assert proc.poll() is None and time.monotonic() < deadline, "no chunk was written"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    done_before = len(list((out / "runs").glob("part-*.parquet")))
    assert 1 <= done_before < 12, "the experiment was not killed mid-run"
    time.sleep(0.2)  # its workers die with it (PR_SET_PDEATHSIG)
    code, resumed, err = mc(capsys, "--resume", str(out), "--workers", "2", "--no-track", "--json")
    assert code == 0, err
    code, whole, err = mc(capsys, "--runs", "24", "--chunk-size", "2", "--workers", "1", "--no-track", "--json",
                          "--out", str(tmp_path / "whole"))
    assert code == 0, err
    assert resumed["results_hash"] == whole["results_hash"]
    runs = table(out, "runs")
    assert list(runs["run"]) == list(range(24))
    turns = table(out, "turns")
    assert not turns.duplicated(["arm_index", "run", "turn"]).any() and len(turns) == 24 * 24
    assert turns.equals(table(tmp_path / "whole", "turns"))
    assert not list(out.rglob("*.tmp"))


def test_resume_of_a_finished_experiment_plays_nothing(capsys, tmp_path):
    code, first, _ = mc(capsys, "--runs", "3", "--workers", "1", "--no-track", "--json", "--out", str(tmp_path / "x"))
    code, again, err = mc(capsys, "--resume", str(tmp_path / "x"), "--runs", "3", "--no-track", "--json")
    assert code == 0, err
    assert again["results_hash"] == first["results_hash"] and again["games_per_s"] is None


def test_mlflow_sqlite_store_holds_parent_and_arm_runs(capsys, tmp_path, monkeypatch):
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{tmp_path / 'ml' / 'mlflow.db'}"
    (tmp_path / "ml").mkdir()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    code, res, err = mc(capsys, "--runs", "4", "--workers", "1", "--compare", "us=doctrine,idle", "--json",
                        "--out", str(tmp_path / "out"))
    assert code == 0 and "warning" not in err, err
    client = MlflowClient(uri)
    exp = client.get_experiment_by_name("wargame-mc")
    runs = client.search_runs([exp.experiment_id])
    parent = client.get_run(res["mlflow_run_id"])
    children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
    assert len(runs) == 3 and sorted(r.info.run_name for r in children) == ["us=doctrine", "us=idle"]
    assert parent.data.params["runs"] == "4" and parent.data.params["sampling"] == "none"
    assert {"scenario", "seed", "seats"} <= set(parent.data.params)
    seats = json.loads(parent.data.params["seats"])  # every seat, defaults included; the compared one varies
    assert seats["us"] == "varies by arm" and seats["china"] == "doctrine" and len(seats) == 11
    assert {json.loads(c.data.params["seats"])["us"] for c in children} == {"doctrine", "idle"}
    assert {c.data.params["turns"] for c in children} == {"1-24 = 2025Q1-2030Q4"}  # what step = turn means
    top = {a.path for a in client.list_artifacts(parent.info.run_id)}
    assert {"summary.md", "plots", "parquet", "scenarios", "manifest.json"} <= top
    assert {a.path for a in client.list_artifacts(parent.info.run_id, "parquet")} == {"parquet/runs", "parquet/turns"}
    for child in children:
        history = client.get_metric_history(child.info.run_id, "p50.us_china_stock_ratio")
        assert sorted(m.step for m in history) == list(range(1, 25))
        assert {a.path for a in client.list_artifacts(child.info.run_id, "plots")}
    # `wargame run --track`: one game, per-turn metrics and the save file
    assert main(["run", "--turns", "3", "--track", "--json"]) == 0
    out, err = capsys.readouterr()
    game = client.search_runs([client.get_experiment_by_name("wargame-run").experiment_id])[0]
    assert json.loads(out)["mlflow_run_id"] == game.info.run_id and err == f"MLflow run {game.info.run_id} in {uri}\n"
    assert [m.step for m in client.get_metric_history(game.info.run_id, "us_china_stock_ratio")] == [1, 2, 3]
    assert [a.path for a in client.list_artifacts(game.info.run_id)] == ["game.json"]


def test_dead_tracking_server_keeps_results_and_exits_0(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "wargame", "mc", "--runs", "3", "--workers", "1", "--json", "--out", str(out)],
                          cwd=tmp_path, env=subprocess_env(MLFLOW_TRACKING_URI="http://127.0.0.1:9"),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wargame: warning: MLflow tracking failed"), proc.stderr
    res = json.loads(proc.stdout)
    assert res["mlflow_run_id"] is None
    assert len(table(out, "runs")) == 3 and (out / "summary.md").exists() and (out / "results.json").exists()


def test_compared_arms_share_seeds_and_draws(capsys, tmp_path):
    code, res, err = mc(capsys, "--runs", "6", "--workers", "2", "--chunk-size", "4", "--sample-params", "--no-track",
                        "--json", "--compare", "us=doctrine,idle", "--out", str(tmp_path / "a"))
    assert code == 0, err
    runs = table(tmp_path / "a", "runs")
    first, second = runs[runs.arm_index == 0].reset_index(drop=True), runs[runs.arm_index == 1].reset_index(drop=True)
    params = [c for c in runs.columns if c.startswith("param.")]
    assert params and first[["run", "seed", *params]].equals(second[["run", "seed", *params]])
    assert json.loads(second.seats[0])["us"] == "idle" and json.loads(first.seats[0])["us"] == "doctrine"
    for m in CONTRACT_KEYS:
        assert res["arms"][0]["diff_vs_first"][m] == {"mean": 0.0, "ci95": [0.0, 0.0]}
    assert any(res["arms"][1]["diff_vs_first"][m]["mean"] != 0 for m in CONTRACT_KEYS)


def test_a_scenario_against_a_copy_of_itself_differs_by_exactly_zero(capsys, tmp_path):
    copy = tmp_path / "baseline-copy.yaml"  # a copy: the same file under another name is refused
    copy.write_text((SCENARIO_DIR / "baseline.yaml").read_text())
    code, res, err = mc(capsys, "--runs", "4", "--workers", "1", "--sample-params", "--no-track", "--json",
                        "--compare-scenarios", f"baseline,{copy}", "--out", str(tmp_path / "s"))
    assert code == 0, err
    assert len(res["arms"]) == 2
    for m in CONTRACT_KEYS:
        assert res["arms"][1]["diff_vs_first"][m] == {"mean": 0.0, "ci95": [0.0, 0.0]}


def test_plot_labels_name_scenario_files_by_file_name_and_stay_short():
    assert plot_labels(["baseline/us=idle", "/x/y/no-controls.yaml/us=idle"]) == [
        "baseline/us=idle", "no-controls.yaml/us=idle"]
    assert plot_labels(["/a/b.yaml", "/c/b.yaml"]) == ["/a/b.yaml", "/c/b.yaml"]  # the same file name: paths
    long = plot_labels(["us=doctrine", "/x/" + "z" * 40 + ".yaml"])[1]
    assert len(long) == 28 and long.startswith("…") and long.endswith("z.yaml")


@pytest.mark.filterwarnings("error::UserWarning")  # matplotlib's, when a label squeezes the axes to nothing
def test_arms_named_by_long_paths_still_get_readable_plots(capsys, tmp_path):
    deep = tmp_path / "a_directory_with_a_rather_long_name" / "and_another_one_below_it"
    deep.mkdir(parents=True)
    copy = deep / "baseline-copy.yaml"
    copy.write_text((SCENARIO_DIR / "baseline.yaml").read_text())
    code, res, err = mc(capsys, "--runs", "2", "--workers", "1", "--no-track", "--json",
                        "--compare-scenarios", f"baseline,{copy}", "--out", str(tmp_path / "p"))
    assert code == 0, err
    assert (tmp_path / "p" / "plots" / "compare.png").stat().st_size > 0


def test_lhs_puts_one_draw_in_each_quantile_bin(capsys, tmp_path):
    n = 12
    code, _, err = mc(capsys, "--runs", str(n), "--workers", "2", "--chunk-size", "5", "--sample-params", "--lhs",
                      "--no-track", "--json", "--seat", "us=idle", "--out", str(tmp_path / "l"))
    assert code == 0, err
    runs = table(tmp_path / "l", "runs")
    sc = load_scenario("baseline")
    checked = 0
    for col in (c for c in runs.columns if c.startswith("param.")):
        name = col[len("param."):]
        if is_integer_parameter(name):
            continue
        edges = [draw_at_quantiles(sc, {name: k / n})[name] for k in range(n)] + [np.inf]
        bins = np.searchsorted(edges, runs[col].to_numpy(), side="right") - 1
        assert sorted(bins) == list(range(n)), name
        checked += 1
    assert checked >= 5
    # and they are not the per-run draws of --sample-params
    code, _, _ = mc(capsys, "--runs", str(n), "--workers", "1", "--sample-params", "--no-track", "--json",
                    "--seat", "us=idle", "--out", str(tmp_path / "p"))
    assert not runs.filter(like="param.").equals(table(tmp_path / "p", "runs").filter(like="param."))


def test_from_save_keeps_the_past_and_varies_the_future(capsys, tmp_path):
    save = tmp_path / "g.json"
    assert main(["run", "--turns", "6", "--seed", "3", "--save", str(save)]) == 0
    capsys.readouterr()
    code, _, err = mc(capsys, "--from-save", str(save), "--runs", "4", "--workers", "1", "--no-track", "--json",
                      "--out", str(tmp_path / "f"))
    assert code == 0, err
    turns = table(tmp_path / "f", "turns")
    per_turn = turns.groupby("turn")["china_compute_stock_h100e"].nunique()
    assert (per_turn.loc[1:6] == 1).all() and (per_turn.loc[7:] > 1).all()


def test_json_keys_are_the_contract(capsys, tmp_path):
    code, res, _ = mc(capsys, "--runs", "2", "--workers", "1", "--no-track", "--json", "--out", str(tmp_path / "j"))
    assert code == 0
    assert set(res) == {"runs", "wall_s", "games_per_s", "results_hash", "out_dir", "mlflow_run_id", "summary", "arms"}
    assert res["runs"] == 2 and res["out_dir"] == str(tmp_path / "j") and len(res["results_hash"]) == 64
    assert set(res["summary"]) == set(CONTRACT_KEYS) and all(set(v) == SUMMARY_KEYS for v in res["summary"].values())
    (arm,) = res["arms"]
    assert set(arm) == {"name", "summary", "diff_vs_first"} and arm["summary"] == res["summary"]
    assert set(arm["diff_vs_first"]) == set(CONTRACT_KEYS)
    assert all(set(v) == {"mean", "ci95"} for v in arm["diff_vs_first"].values())


@pytest.mark.parametrize(("argv", "needle"), [
    (["--runs", "0"], "--runs 0: must be at least 1"),
    (["--workers", "0"], "--workers 0: must be at least 1"),
    (["--seed", "-1"], "--seed -1"),
    (["--compare", "us=doctrine,bogus"], "unknown policy 'bogus'"),
    (["--compare", "nobody=doctrine,idle"], "unknown actor 'nobody'"),
    (["--compare", "us"], "expected ACTOR=POLICY1,POLICY2"),
    (["--seat", "us=bogus"], "unknown policy 'bogus'"),
    (["--scenario", "no-such-scenario"], "no-such-scenario"),
    (["--compare-scenarios", "baseline,no-such-scenario"], "no-such-scenario"),
    (["--scenario", "baseline", "--compare-scenarios", "baseline,no-controls"], "give one"),
    (["--lhs"], "--lhs stratifies"),
    (["--from-save", "/nonexistent/save.json"], "no such file"),
    (["--scheduler", "tcp://x:1"], "--executor dask"),
])
def test_bad_flags_exit_2_with_one_line(capsys, tmp_path, argv, needle):
    code = main(["mc", "--no-track", "--runs", "2", "--out", str(tmp_path / "o"), *argv] if "--runs" not in argv
                else ["mc", "--no-track", "--out", str(tmp_path / "o"), *argv])
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("wargame: ") and needle in lines[0], err
    assert out == ""


def test_dask_executor_without_dask_exits_2_with_one_line(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)  # as if not installed: the import raises ImportError
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    assert main(["mc", "--no-track", "--runs", "2", "--executor", "dask", "--out", str(tmp_path / "o")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.strip().splitlines() == [f"wargame: {DASK_MISSING}"], err


def test_bad_resume_exits_2_with_one_line(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    assert main(["mc", "--resume", str(tmp_path / "empty")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["mc", "--runs", "2", "--workers", "1", "--no-track", "--out", str(tmp_path / "e")]) == 0
    capsys.readouterr()
    assert main(["mc", "--resume", str(tmp_path / "e"), "--runs", "5", "--no-track"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "contradicts the experiment's manifest" in err
    assert main(["mc", "--runs", "2", "--no-track", "--out", str(tmp_path / "e")]) == 2  # not an empty directory
    assert "--resume" in capsys.readouterr().err
    (tmp_path / "afile").write_text("x")
    assert main(["mc", "--resume", str(tmp_path / "afile")]) == 2
    assert "is a file, not an experiment's directory" in capsys.readouterr().err


def test_headless_run_imports_no_heavy_modules():
    # (mesa itself imports pandas, pyarrow and tqdm; matplotlib, mlflow and wargame.mc stay out)
    code = ("import sys; from wargame.cli import main; main(['run', '--turns', '1']);"
            "bad = [m for m in ('mlflow', 'matplotlib', 'wargame.mc') if m in sys.modules];"
            "assert not bad, bad")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_a_tracking_process_that_dies_is_one_failure_not_a_hang(tmp_path):
    from wargame.mc.tracking import TrackingFailed, TrackingProcess

    tracker = TrackingProcess()
    tracker._proc.kill()
    tracker._proc.join()
    with pytest.raises(TrackingFailed) as failed:
        tracker.track(tmp_path, {}, {}, [], {}, [])
    assert failed.value.kind == "ChildProcessError" and "ended early" in str(failed.value)
    assert not tracker._proc.is_alive()


# --- input the command used to accept silently, paths it could not use, and what it says -----------


@pytest.mark.parametrize(("argv", "needle"), [
    (["--seat", "us=hawk", "--compare", "us=doctrine,idle"],
     "--seat us=hawk and --compare us=doctrine,idle: the us seat is both fixed and compared; drop one"),
    (["--compare", "us=doctrine,hawk", "--compare", "china=doctrine,retaliate"], "--compare may be given once"),
    (["--compare-scenarios", "baseline,no-controls", "--compare-scenarios", "baseline,no-controls"],
     "--compare-scenarios may be given once"),
    (["--seat", "us=dove", "--seat", "us=hawk"], "the us seat is given twice"),
    (["--compare", "us=hawk"], "one policy, nothing to compare"),
    (["--compare-scenarios", "baseline"], "one scenario, nothing to compare"),
    (["--compare", "us=default,doctrine"], "default and doctrine are the same policy"),
    (["--compare", "us=doctrine,idle,default"], "doctrine and default are the same policy"),
    (["--compare-scenarios", f"baseline,{Path(__file__).resolve().parents[1] / 'wargame/scenarios/baseline.yaml'}"],
     "are the same scenario file"),
    (["--runs", "100000000000"], "--runs 100000000000: at most 1,000,000 per arm"),
    (["--seed", str(10**14)], "64-bit"),
    (["--track"], "--track and --no-track: give one"),
])
def test_doubtful_arguments_are_refused_with_one_line(capsys, tmp_path, argv, needle):
    t0 = time.monotonic()
    code = main(["mc", "--no-track", "--runs", "2", "--out", str(tmp_path / "o"), *argv])
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("wargame: ") and needle in lines[0], err
    assert out == "" and not (tmp_path / "o").exists()
    assert time.monotonic() - t0 < 10  # --runs 1e11 used to build billions of chunk names first


def test_two_spellings_of_one_file_or_two_names_that_share_a_file_name_are_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "s.yaml").write_text("extends: baseline\nname: same\n")
    (tmp_path / "a_s.yaml").write_text("extends: hbm-squeeze\nname: other\n")
    for pair, needle in (("a/s.yaml,./a/s.yaml", "a/s.yaml and ./a/s.yaml are the same scenario file"),
                         ("a/s.yaml,a_s.yaml", "would write the same output files ('a_s.yaml'")):
        assert main(["mc", "--no-track", "--runs", "2", "--out", "o", "--compare-scenarios", pair]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and needle in err and not (tmp_path / "o").exists(), err


def test_resume_takes_a_policy_by_its_alias(capsys, tmp_path):
    """`default` is `doctrine`: naming the same arms by the other name is no contradiction."""
    out = tmp_path / "e"
    assert main(["mc", "--runs", "2", "--workers", "1", "--no-track", "--out", str(out), "--compare", "us=default,hawk"]) == 0
    assert main(["mc", "--resume", str(out), "--no-track", "--compare", "us=doctrine,hawk"]) == 0
    assert main(["mc", "--resume", str(out), "--no-track", "--compare", "us=doctrine,dove"]) == 2
    assert "(the experiment has --compare us=default,hawk)" in capsys.readouterr().err


def test_a_seat_given_twice_to_run_is_refused(capsys):
    assert main(["run", "--turns", "1", "--seat", "us=dove", "--seat", "us=hawk"]) == 2
    assert "the us seat is given twice" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["under_a_file", "in_proc"])
def test_an_unusable_out_path_is_one_line(capsys, tmp_path, kind):
    if kind == "under_a_file":
        (tmp_path / "x_file").write_text("not a directory")
        target, why = tmp_path / "x_file" / "sub", f"{tmp_path / 'x_file'} is a file, not a directory"
    else:
        target, why = Path("/proc/nope"), "cannot create this directory"
    code = main(["mc", "--no-track", "--runs", "2", "--workers", "1", "--out", str(target)])
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith(f"wargame: mc --out {target}: ") and why in lines[0], err


@pytest.fixture(scope="module")
def small_experiment(tmp_path_factory) -> Path:
    """A finished two-run experiment, copied by each test that damages its manifest."""
    out = tmp_path_factory.mktemp("mc") / "base"
    assert main(["mc", "--runs", "2", "--workers", "1", "--no-track", "--out", str(out)]) == 0
    return out


def _arm0(m: dict, **change) -> list[dict]:
    return [{**m["arms"][0], **change}]


# a damaged or edited manifest.json -> (what --resume must say, in one line, exit 2)
MANIFEST_EDITS: dict[str, tuple] = {
    "not_json": (lambda m: "hello", "unreadable manifest.json (Expecting value"),
    "a_list": (lambda m: "[1, 2]", "expected a JSON object, got list"),
    "runs_nan": (lambda m: json.dumps(m).replace('"runs": 2', '"runs": NaN'), "runs: Input should be a valid integer"),
    "runs_a_string": (lambda m: json.dumps({**m, "runs": "2"}), "runs: Input should be a valid integer"),
    "runs_huge": (lambda m: json.dumps({**m, "runs": 10**30}), "runs: Input should be less than or equal to 1000000"),
    "runs_5000_digits": (lambda m: json.dumps(m).replace('"runs": 2', '"runs": ' + "9" * 5000), "4300 digits"),
    "seed_a_float": (lambda m: json.dumps({**m, "seed": 1.5}), "seed: Input should be a valid integer"),
    "chunk_zero": (lambda m: json.dumps({**m, "chunk_size": 0}), "chunk_size: Input should be greater than or equal to 1"),
    "no_arms": (lambda m: json.dumps({**m, "arms": []}), "arms: List should have at least 1 item"),
    "override_half": (lambda m: json.dumps({**m, "arms": _arm0(m, overrides=[["us"]])}), "arms.0.overrides.0"),
    "metric_type": (lambda m: json.dumps({**m, "metric_types": {"x": "complex"}}), "metric_types.x"),
    "extra_key": (lambda m: json.dumps({**m, "surprise": 1}), "surprise: Extra inputs are not permitted"),
    "nested_deep": (lambda m: "[" * 100_000 + "]" * 100_000, "nested too deep"),
    "arm_renamed": (lambda m: json.dumps({**m, "arms": _arm0(m, name="other")}), "its arms do not follow"),
    "unknown_policy": (lambda m: json.dumps({**m, "seats": {"us": "nonsense"}, "arms": _arm0(m, overrides=[["us", "nonsense"]])}),
                       "seat us=nonsense: unknown policy"),
    "unknown_actor": (lambda m: json.dumps({**m, "seats": {"xx": "idle"}, "arms": _arm0(m, overrides=[["xx", "idle"]])}),
                      "seat xx=idle: unknown actor"),
    "columns": (lambda m: json.dumps({**m, "metric_types": {"turn": "int"}}), "metric_types are not the columns"),
    "params": (lambda m: json.dumps({**m, "param_names": ["alpha"]}), "param_names are not the scenario's"),
    # well-formed and self-consistent, but another experiment: the digest of its definition
    "seed_changed": (lambda m: json.dumps({**m, "seed": 1}), "no longer matches its digest"),
    "runs_fewer": (lambda m: json.dumps({**m, "runs": 1}), "no longer matches its digest"),
    "lhs_without_sampling": (lambda m: json.dumps({**m, "lhs": True}), "no longer matches its digest"),
    "digest_forged": (lambda m: json.dumps({**m, "digest": "0" * 64}), "no longer matches its digest"),
}


@pytest.mark.parametrize("name", sorted(MANIFEST_EDITS))
def test_a_damaged_or_edited_manifest_is_refused_in_one_line(capsys, tmp_path, small_experiment, name):
    """Before --resume trusts a manifest: its shape (types, ranges, no stray keys), then that
    its arms, seats, sampled parameters and columns follow from its own arguments. Each of these
    crashed with a traceback, played a float seed or tried to allocate 10**30 runs before."""
    edit, needle = MANIFEST_EDITS[name]
    out = tmp_path / "e"
    shutil.copytree(small_experiment, out)
    for part in (out / "runs").iterdir():  # something left to play
        part.unlink()
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(edit(manifest))
    assert main(["mc", "--resume", str(out), "--no-track"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"wargame: mc --resume {out}: ") and needle in err, err


@pytest.mark.parametrize("damage", ["runs_not_parquet", "turns_truncated", "runs_is_a_turns_file",
                                    "runs_of_another_chunk", "turns_of_another_chunk", "turns_of_another_seed"])
def test_a_damaged_chunk_is_played_again_with_the_same_results(capsys, tmp_path, small_experiment, damage):
    """A chunk file that is not what mc wrote (disk fault, a hand) stopped the report with
    pyarrow's traceback; resume replays that chunk (same seeds, same rows) and says so."""
    out = tmp_path / "e"
    shutil.copytree(small_experiment, out)
    name = sorted((out / "runs").iterdir())[0].name
    runs, turns = out / "runs" / name, out / "turns" / name
    if damage == "runs_not_parquet":
        runs.write_text("garbage")
    elif damage == "turns_truncated":
        turns.write_bytes(turns.read_bytes()[:100])
    elif damage == "turns_of_another_seed":  # the right runs, played from another --seed's game seeds
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        table = pq.read_table(turns)
        i = table.schema.get_field_index("seed")
        pq.write_table(table.set_column(i, table.schema.field(i), pc.add(table.column("seed"), 1)), turns)
    elif damage.endswith("_of_another_chunk"):  # well-formed, the right schema and size, the wrong runs
        sub = damage.split("_")[0]
        other = sorted((out / sub).iterdir())[1]
        (out / sub / name).write_bytes(other.read_bytes())
    else:
        runs.write_bytes(turns.read_bytes())
    before = json.loads((small_experiment / "results.json").read_text())["results_hash"]
    code, again, err = mc(capsys, "--resume", str(out), "--no-track", "--json")
    assert code == 0 and again["results_hash"] == before, err
    assert f"wargame: note: {name} was damaged (" in err and "playing its runs again" in err, err


def test_chunks_written_without_statistics_are_checked_by_their_rows(capsys, tmp_path, small_experiment):
    """The chunk check reads the footer's statistics; a file without them (another writer) is
    checked by its columns: kept when its rows are right, replayed when they are another run's."""
    import pyarrow.parquet as pq

    out = tmp_path / "e"
    shutil.copytree(small_experiment, out)
    first, second = sorted((out / "turns").iterdir())[:2]
    pq.write_table(pq.read_table(first), first, write_statistics=False)
    before = json.loads((small_experiment / "results.json").read_text())["results_hash"]
    code, again, err = mc(capsys, "--resume", str(out), "--no-track", "--json")
    assert code == 0 and again["results_hash"] == before and "damaged" not in err, err
    pq.write_table(pq.read_table(second), first, write_statistics=False)
    code, again, err = mc(capsys, "--resume", str(out), "--no-track", "--json")
    assert code == 0 and again["results_hash"] == before and "turns file does not hold runs" in err, err


def test_an_older_manifest_without_the_optional_records_still_resumes(capsys, tmp_path, small_experiment):
    out = tmp_path / "e"
    shutil.copytree(small_experiment, out)
    for part in (out / "runs").iterdir():
        part.unlink()
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("track", "mlflow_runs", "model_version", "scenario_sha256", "digest"):
        manifest.pop(key, None)
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert main(["mc", "--resume", str(out), "--no-track"]) == 0, capsys.readouterr().err


def test_an_out_that_is_a_file_says_so_and_does_not_suggest_resume(capsys, tmp_path):
    (tmp_path / "afile").write_text("not an experiment")
    code = main(["mc", "--no-track", "--runs", "2", "--workers", "1", "--out", str(tmp_path / "afile")])
    err = capsys.readouterr().err
    assert code == 2 and err == f"wargame: mc --out {tmp_path / 'afile'}: is a file, not a directory; give a new or empty directory\n"
    assert (tmp_path / "afile").read_text() == "not an experiment"


def test_a_failed_start_that_played_nothing_can_simply_be_run_again(capsys, tmp_path, monkeypatch):
    from wargame.mc import experiment as ex

    def cannot_start(out, *args, **kwargs):
        raise ex.McError("--scheduler tcp://127.0.0.1:9: cannot connect (refused)")

    monkeypatch.setattr(ex, "execute", cannot_start)
    fresh = tmp_path / "new" / "deeper"
    empty = tmp_path / "empty"
    empty.mkdir()
    for out in (fresh, empty):
        assert main(["mc", "--no-track", "--runs", "2", "--out", str(out)]) == 2
        assert "cannot connect" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()  # everything it created, and only that, is gone
    assert empty.is_dir() and not any(empty.iterdir())  # what existed before stays

    def half_played(out, manifest, *args, **kwargs):
        (out / "runs").mkdir(exist_ok=True)
        (out / "runs" / ex.chunk_name(0, 0)).write_bytes(b"a finished chunk")
        raise ex.McError("worker lost")

    monkeypatch.setattr(ex, "execute", half_played)
    assert main(["mc", "--no-track", "--runs", "2", "--out", str(fresh)]) == 2
    capsys.readouterr()
    assert (fresh / ex.MANIFEST).is_file() and (fresh / "runs" / ex.chunk_name(0, 0)).is_file()  # resumable
    monkeypatch.undo()
    assert main(["mc", "--no-track", "--runs", "2", "--workers", "1", "--out", str(empty)]) == 0  # the re-run works


def test_from_save_of_a_finished_game_is_refused(capsys, tmp_path):
    save = tmp_path / "full.json"
    assert main(["run", "--seed", "4", "--save", str(save)]) == 0
    capsys.readouterr()
    code = main(["mc", "--from-save", str(save), "--runs", "3", "--no-track", "--out", str(tmp_path / "f")])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and f"--from-save {save}: the saved game is at its scenario's end" in lines[0]
    assert not (tmp_path / "f").exists()


class FakeTracker:
    made = 0

    def __init__(self):
        FakeTracker.made += 1

    def track(self, *args):
        return "fake-run-id"

    def close(self):
        pass


def test_resume_keeps_an_untracked_experiment_untracked(capsys, tmp_path, monkeypatch):
    import wargame.mc.tracking

    monkeypatch.setattr(wargame.mc.tracking, "TrackingProcess", FakeTracker)
    monkeypatch.setattr(FakeTracker, "made", 0)
    out = tmp_path / "u"
    code, first, err = mc(capsys, "--runs", "2", "--workers", "1", "--no-track", "--json", "--out", str(out))
    assert code == 0 and first["mlflow_run_id"] is None and FakeTracker.made == 0, err
    assert json.loads((out / "manifest.json").read_text())["track"] is False
    code, again, err = mc(capsys, "--resume", str(out), "--json")
    assert code == 0 and again["mlflow_run_id"] is None and FakeTracker.made == 0, err  # remembered
    code, again, err = mc(capsys, "--resume", str(out), "--track", "--json")
    assert code == 0 and again["mlflow_run_id"] == "fake-run-id" and FakeTracker.made == 1, err  # asked for
    # an experiment started with tracking, or by a version that did not record it, is tracked on resume
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["track"], manifest["mlflow_runs"]  # (and its record of being tracked: see the test below)
    (out / "manifest.json").write_text(json.dumps(manifest))
    code, again, err = mc(capsys, "--resume", str(out), "--json")
    assert code == 0 and again["mlflow_run_id"] == "fake-run-id" and FakeTracker.made == 2, err
    code, again, err = mc(capsys, "--resume", str(out), "--no-track", "--json")
    assert code == 0 and again["mlflow_run_id"] is None and FakeTracker.made == 2, err


def test_terminal_speed_line_names_each_figure():
    from wargame.mc.command import speed_line

    manifest = {"runs": 60, "arms": [{}, {}, {}]}
    obj = {"wall_s": 11.4, "games_per_s": 29.5, "_played": 180}
    assert speed_line(manifest, obj) == ("180 games (60 runs x 3 arms) in 11.4 s wall (set-up, report and tracking "
                                         "included); 29.5 games/s while playing")
    assert speed_line(manifest, {**obj, "_played": 40}).endswith("; 40 played now, 140 before")
    assert speed_line({"runs": 5, "arms": [{}]}, {**obj, "games_per_s": None}) == (
        "5 games in 11.4 s wall; nothing left to play (all played before)")


def test_terminal_output_of_a_comparison(capsys, tmp_path):
    assert main(["mc", "--runs", "2", "--workers", "1", "--no-track", "--compare", "us=doctrine,idle",
                 "--out", str(tmp_path / "t")]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith("4 games (2 runs x 2 arms) in ") and "games/s while playing" in first
    # the headline events follow the table, k of n per arm, as summary.md counts them
    events = out.split("headline events at the final quarter (2030Q4)")[1].split("results_hash")[0]
    assert "us=doctrine" in events and "us=idle" in events and "Wilson" in out
    assert events.count(" of 2") == 8 and "US+allies:China compute stock ratio < 10" in events
    stored = json.loads((tmp_path / "t" / "results.json").read_text())
    assert "headline events" not in json.dumps(stored) and "events" not in stored  # not part of the contract


def test_an_interrupt_says_how_to_continue(capsys, tmp_path, monkeypatch):
    from wargame.cli import Interrupted
    from wargame.mc import experiment as ex

    def interrupted(*args, **kwargs):
        raise Interrupted(signal.SIGINT)

    monkeypatch.setattr(ex, "execute", interrupted)
    out = tmp_path / "i"
    assert main(["mc", "--runs", "2", "--no-track", "--out", str(out)]) == 130
    assert capsys.readouterr().err.strip() == (f"wargame: interrupted (SIGINT); finished chunks are kept in {out}: "
                                               f"continue with wargame mc --resume {out}")
    assert (out / "manifest.json").is_file()


def test_run_track_says_where_it_logged(capsys, monkeypatch):
    import wargame.mc.tracking

    monkeypatch.setattr(wargame.mc.tracking, "track_game", lambda session: "rid123")
    monkeypatch.setattr(wargame.mc.tracking, "tracking_uri", lambda: "sqlite:///x/mlflow.db")
    assert main(["run", "--turns", "1", "--track"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == "MLflow run rid123 in sqlite:///x/mlflow.db" and err == ""
    assert main(["run", "--turns", "1", "--track", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["mlflow_run_id"] == "rid123" and err == "MLflow run rid123 in sqlite:///x/mlflow.db\n"
    assert main(["run", "--turns", "1", "--json"]) == 0
    assert "mlflow_run_id" not in json.loads(capsys.readouterr().out)  # only with --track


def test_paired_difference_ci_uses_students_t():
    """Few runs need the t quantile: at n = 5, 1.96 would give an interval 29 % too narrow."""
    from wargame.mc.experiment import ci95, paired_diff

    base = np.zeros(5)
    other = np.array([1.0, 2.0, 3.0, 4.0, 5.0])  # mean 3, sd sqrt(2.5)
    lo, hi = paired_diff(base, other)["ci95"]
    assert (hi - lo) / 2 == pytest.approx(2.776445 * np.sqrt(2.5) / np.sqrt(5), rel=1e-6)
    assert (lo + hi) / 2 == pytest.approx(3.0)
    assert ci95(np.array([1.0])) is None and paired_diff(np.zeros(1), np.ones(1)) == {"mean": 1.0, "ci95": None}
    many = np.random.default_rng(0).normal(size=10_000)
    lo, hi = ci95(many)
    assert (hi - lo) / 2 == pytest.approx(1.96 * np.std(many, ddof=1) / 100, rel=1e-3)  # t tends to the normal


def test_resume_of_a_tracked_experiment_does_not_log_it_twice(capsys, tmp_path, monkeypatch):
    import wargame.mc.tracking

    monkeypatch.setattr(wargame.mc.tracking, "TrackingProcess", FakeTracker)
    monkeypatch.setattr(FakeTracker, "made", 0)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'a.db'}")
    out = tmp_path / "t"
    code, first, err = mc(capsys, "--runs", "2", "--workers", "1", "--json", "--out", str(out))
    assert code == 0 and first["mlflow_run_id"] == "fake-run-id" and FakeTracker.made == 1, err
    code, again, err = mc(capsys, "--resume", str(out), "--json")
    assert code == 0 and again["mlflow_run_id"] == "fake-run-id" and FakeTracker.made == 1, err
    assert "already tracked as MLflow run fake-run-id" in err
    assert json.loads((out / "results.json").read_text())["mlflow_run_id"] == "fake-run-id"
    # into another store, it is logged there; back in the first, it is still known there
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'b.db'}")
    code, again, err = mc(capsys, "--resume", str(out), "--json")
    assert code == 0 and FakeTracker.made == 2, err
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'a.db'}")
    code, again, err = mc(capsys, "--resume", str(out), "--json")
    assert code == 0 and FakeTracker.made == 2 and "already tracked" in err, err
    # a relative store is another store from another directory
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///rel.db")
    assert mc(capsys, "--resume", str(out), "--json")[0] == 0 and FakeTracker.made == 3
    assert mc(capsys, "--resume", str(out), "--json")[0] == 0 and FakeTracker.made == 3
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert mc(capsys, "--resume", str(out), "--json")[0] == 0 and FakeTracker.made == 4


def test_resume_refuses_a_changed_scenario_or_model_version(capsys, tmp_path, monkeypatch):
    import wargame

    scenario = tmp_path / "mine.yaml"
    scenario.write_text((SCENARIO_DIR / "baseline.yaml").read_text())
    out = tmp_path / "x"
    code, _, err = mc(capsys, "--scenario", str(scenario), "--runs", "2", "--workers", "1", "--no-track", "--json",
                      "--out", str(out))
    assert code == 0, err
    assert mc(capsys, "--resume", str(out), "--no-track", "--json")[0] == 0
    scenario.write_text(scenario.read_text().replace("\nturns: 24", "\nturns: 8"))
    code, _, err = mc(capsys, "--resume", str(out), "--no-track", "--json")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"scenario {scenario} has changed since the experiment began" in err
    scenario.unlink()
    code, _, err = mc(capsys, "--resume", str(out), "--no-track", "--json")
    assert code == 2 and f"scenario {scenario} no longer loads" in err and len(err.strip().splitlines()) == 1
    monkeypatch.setattr(wargame, "MODEL_VERSION", "0000.00-0")
    code, _, err = mc(capsys, "--resume", str(out), "--no-track", "--json")
    assert code == 2 and "started with model version" in err and "'0000.00-0'" in err


def test_small_experiments_are_cut_into_chunks_for_every_worker(capsys, tmp_path):
    from wargame.mc.experiment import DEFAULT_CHUNK, default_chunk

    assert default_chunk(24, 1, 2) == 3 and default_chunk(10_000, 1, 2) == DEFAULT_CHUNK
    assert default_chunk(40, 2, 2) == 10 and default_chunk(1, 1, 8) == 1 and default_chunk(24, 1, None) == DEFAULT_CHUNK
    code, res, err = mc(capsys, "--runs", "6", "--workers", "2", "--no-track", "--json", "--out", str(tmp_path / "s"))
    assert code == 0, err
    assert json.loads((tmp_path / "s" / "manifest.json").read_text())["chunk_size"] == 1
    timing = json.loads((tmp_path / "s" / "timing.json").read_text())
    assert timing["games_played"] == 6 and timing["workers"] == 2 and 20 < timing["worker_peak_rss_mb"] < 2000
    code, same, err = mc(capsys, "--runs", "6", "--workers", "1", "--chunk-size", "25", "--no-track", "--json",
                         "--out", str(tmp_path / "one"))
    assert code == 0 and same["results_hash"] == res["results_hash"], err


def test_a_tracking_failure_marks_its_runs_failed(capsys, tmp_path, monkeypatch):
    from mlflow.tracking import MlflowClient

    (tmp_path / "mlartifacts").write_text("a file where the artifact store's directory should be")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    code, res, err = mc(capsys, "--runs", "2", "--workers", "1", "--json", "--out", str(tmp_path / "out"))
    assert code == 0 and res["mlflow_run_id"] is None
    assert err.startswith("wargame: warning: MLflow tracking failed") and len(err.strip().splitlines()) == 1
    client = MlflowClient(uri)
    runs = client.search_runs([client.get_experiment_by_name("wargame-mc").experiment_id])
    assert runs and {r.info.status for r in runs} == {"FAILED"}
    assert f"MLflow run {runs[0].info.run_id} is marked FAILED" in err


def test_mlflow_prints_no_run_links_to_stdout(capsys, monkeypatch):
    """With an HTTP store MLflow writes "View run ... at" to stdout when a run ends, which would
    break --json: tracking switches that off (and a dead server's error keeps its cause)."""
    from wargame.mc.tracking import _settings, brief

    monkeypatch.delenv("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", raising=False)
    _settings()
    from mlflow.tracking import MlflowClient

    MlflowClient("http://127.0.0.1:9")._tracking_client._log_url("0" * 32)  # returns before any request
    assert capsys.readouterr().out == ""
    long = ("API request to http://127.0.0.1:9/api/2.0/mlflow/experiments/get-by-name failed with exception "
            "HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: /api/2.0/mlflow/experiments/"
            "get-by-name?experiment_name=wargame-mc (Caused by NewConnectionError('<urllib3.connection.HTTPConnection "
            "object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused'))")
    line = brief(RuntimeError(long))
    assert len(line) <= 200 and line.endswith("[Errno 111] Connection refused") and line.startswith("API request")
