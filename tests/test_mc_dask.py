"""`wargame mc --executor dask`: the chunks on a dask.distributed cluster.

The same experiment gives the same `results_hash` and Parquet rows on the local executor, on a
LocalCluster started by the command and on an existing cluster given by `--scheduler`; a resume
under dask plays exactly the missing chunks; stderr stays empty; a scheduler that is not there
exits 2 with one line within the connection timeout.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("dask.distributed")

import pyarrow.dataset as ds  # noqa: E402

from wargame.cli import main  # noqa: E402

ARGS = ("--runs", "8", "--chunk-size", "2", "--sample-params", "--no-track", "--json")


def table(path: Path, name: str):
    return ds.dataset(str(path / name), format="parquet").to_table().to_pandas().sort_values(["arm_index", "run"] + (
        ["turn"] if name == "turns" else [])).reset_index(drop=True)


def cli(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    return subprocess.run([sys.executable, "-m", "wargame", "mc", *argv], capture_output=True, text=True, env=env,
                          timeout=timeout)


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("mc") / "local"
    assert main(["mc", *ARGS, "--workers", "1", "--out", str(out)]) == 0
    return out, json.loads((out / "results.json").read_text())


def assert_same(a: Path, b: Path) -> None:
    for name in ("runs", "turns"):
        assert table(a, name).equals(table(b, name)), name


def test_dask_local_cluster_matches_local_and_resumes(local_run, tmp_path):
    ref_dir, ref = local_run
    out = tmp_path / "dask"
    proc = cli(*ARGS, "--workers", "2", "--executor", "dask", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no shutdown noise, no warnings
    got = json.loads(proc.stdout)
    assert got["results_hash"] == ref["results_hash"]
    assert_same(ref_dir, out)

    # lose two chunks, as a killed experiment would; a dask resume plays exactly those
    for sub in ("runs", "turns"):
        for c in (1, 3):
            (out / sub / f"part-a000-c{c:06d}.parquet").unlink()
    proc = cli("--resume", str(out), "--workers", "2", "--executor", "dask", "--no-track", "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert json.loads(proc.stdout)["results_hash"] == ref["results_hash"]
    assert_same(ref_dir, out)


def test_existing_cluster_via_scheduler(local_run, tmp_path, capsys):
    from dask.distributed import LocalCluster

    ref_dir, ref = local_run
    out = tmp_path / "remote"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.CRITICAL) as cluster:
        code = main(["mc", *ARGS, "--executor", "dask", "--scheduler", cluster.scheduler_address, "--out", str(out)])
        stdout, err = capsys.readouterr()
        assert code == 0, err
        assert len(cluster.scheduler_info["workers"]) == 2  # the command's client left the cluster as it found it
    assert json.loads(stdout)["results_hash"] == ref["results_hash"]
    assert_same(ref_dir, out)


def test_unreachable_scheduler_exits_2_with_one_line(tmp_path):
    t0 = time.monotonic()
    proc = cli("--runs", "2", "--no-track", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9",
               "--out", str(tmp_path / "o"), timeout=60)
    assert time.monotonic() - t0 < 30
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr
    assert lines[0].startswith("wargame: mc --scheduler tcp://127.0.0.1:9: cannot connect"), lines[0]
    assert proc.stdout == ""
    assert not (tmp_path / "o").exists()  # nothing played, nothing left: the same command can be run again


def test_a_scheduler_that_is_not_an_address_is_refused_at_once(tmp_path):
    t0 = time.monotonic()
    proc = cli("--runs", "5", "--no-track", "--executor", "dask", "--scheduler", "notanaddress",
               "--out", str(tmp_path / "o"), timeout=60)
    assert time.monotonic() - t0 < 8  # no connection attempt, no 10 s wait in Client.__del__
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [
        "wargame: mc --scheduler notanaddress: not a scheduler address (missing port number in address 'notanaddress'); "
        "e.g. tcp://host:8786"], proc.stderr
    assert not (tmp_path / "o").exists()


def test_local_executor_never_imports_dask(tmp_path):
    code = ("import sys; from wargame.cli import main; "
            f"rc = main(['mc', '--runs', '2', '--workers', '1', '--no-track', '--out', {str(tmp_path / 'o')!r}]); "
            "assert rc == 0; assert not any(m == 'dask' or m.startswith(('dask.', 'distributed')) for m in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
