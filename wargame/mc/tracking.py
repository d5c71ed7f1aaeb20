"""MLflow tracking of an experiment (one parent run, one nested run per arm) or of one game.

The tracking URI is `MLFLOW_TRACKING_URI` if set, else `sqlite:///runs/mlflow.db` under the
current directory; with a SQLite store, artifacts go to `mlartifacts/` next to the database.
A dead server fails fast (no HTTP retries, 5 s timeout). Tracking never loses results: the
caller turns any exception into one warning line.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import re
import signal
import time
import warnings
from pathlib import Path

MC_EXPERIMENT = "wargame-mc"
RUN_EXPERIMENT = "wargame-run"
BATCH = 1000  # MLflow's limit of metrics per log_batch


def tracking_uri() -> str:
    uri = os.environ.get("MLFLOW_TRACKING_URI")
    if uri:
        return uri
    Path("runs").mkdir(exist_ok=True)
    return f"sqlite:///{Path('runs/mlflow.db').resolve()}"


def store_id(uri: str) -> str:
    """One spelling of a tracking store, so the same store is recognised from any directory: a
    relative sqlite or file path is resolved against the current directory (as MLflow does)."""
    for scheme in ("sqlite:///", "file://"):
        if uri.startswith(scheme):
            path = uri[len(scheme):]
            return scheme + str(Path(path).resolve()) if path and path != ":memory:" else uri
    if "://" not in uri:  # a bare path is a file store
        return "file://" + str(Path(uri).resolve())
    return uri


@contextlib.contextmanager
def _quiet():
    """MLflow's and alembic's own log lines and warnings would clutter stderr (mlflow sets its
    loggers' levels when imported, so import it first)."""
    _settings()
    import mlflow  # noqa: F401

    loggers = [logging.getLogger(n) for n in ("mlflow", "alembic", "sqlalchemy", "urllib3")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _settings() -> None:
    """Fail fast on a dead server (no retries, 5 s), and keep stdout ours: with an HTTP store,
    MLflow writes "View run ... at" links to stdout, which would break `--json`; the caller
    prints the run id itself."""
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "5")
    os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")


def brief(exc: BaseException, limit: int = 200) -> str:
    """An exception as one line of at most about `limit` characters that keeps its cause: a
    refused connection's message is a long URL with "[Errno 111] Connection refused" at its end."""
    text = str(exc).strip()
    what = text.splitlines()[0] if text else ""
    if len(what) <= limit:
        return what
    cause = re.findall(r"\[Errno -?\d+\][^'\"()\]]*", text)
    tail = cause[-1].strip() if cause else what[-60:]
    return f"{what[:limit - len(tail) - 5].rstrip()} ... {tail}"


@contextlib.contextmanager
def _failing_marks(client, run_ids: list[str]):
    """If logging fails, mark the runs it created FAILED (best effort), so none stays RUNNING, and
    raise RunFailed naming the first (the cause chained); an interrupt passes through as it is."""
    try:
        yield
    except BaseException as exc:
        for rid in reversed(run_ids):
            with contextlib.suppress(Exception):
                client.set_terminated(rid, "FAILED")
        if isinstance(exc, Exception) and run_ids:
            raise RunFailed(run_ids[0]) from exc
        raise


def _client():
    _settings()
    from mlflow.tracking import MlflowClient

    uri = tracking_uri()
    return MlflowClient(tracking_uri=uri), uri


def _experiment_id(client, uri: str, name: str) -> str:
    exp = client.get_experiment_by_name(name)
    if exp is not None:
        return exp.experiment_id
    location = None
    if uri.startswith("sqlite:///"):
        location = (Path(uri[len("sqlite:///"):]).resolve().parent / "mlartifacts").as_uri()
    return client.create_experiment(name, artifact_location=location)


def _params(d: dict) -> list:
    from mlflow.entities import Param

    return [Param(k, (v if isinstance(v, str) else json.dumps(v, sort_keys=True))[:6000]) for k, v in d.items()]


def _log_metrics(client, run_id: str, items: list[tuple[str, float, int]]) -> None:
    from mlflow.entities import Metric

    now = int(time.time() * 1000)
    metrics = [Metric(k, float(v), now, int(step)) for k, v, step in items if v is not None]
    for i in range(0, len(metrics), BATCH):
        client.log_batch(run_id, metrics=metrics[i:i + BATCH])


def _key(name: str) -> str:
    """MLflow keys allow letters, digits, _ - . space / only."""
    return "".join(c if c.isalnum() or c in "_-. /" else "_" for c in name)


def _seats_by_arm(out: Path, manifest: dict) -> list[dict]:
    """Each arm's full seat map as its games were played (the Parquet `seats` of its first run):
    every seat's policy, defaults included, not only the overrides."""
    import pyarrow.parquet as pq

    from wargame.mc.experiment import chunk_name

    seats = []
    for i, spec in enumerate(manifest["arms"]):
        try:
            first = pq.read_table(out / "runs" / chunk_name(i, 0), columns=["seats"]).column("seats")[0].as_py()
            seats.append(json.loads(first))
        except (OSError, ValueError, IndexError):
            seats.append(dict(spec["overrides"]))
    return seats


def _common_seats(by_arm: list[dict]) -> dict:
    """The seat map of the whole experiment: a seat that differs between arms reads "varies by arm"."""
    actors = dict.fromkeys(a for seats in by_arm for a in seats)
    return {a: by_arm[0].get(a) if all(s.get(a) == by_arm[0].get(a) for s in by_arm) else "varies by arm" for a in actors}


def track_experiment(out: Path, manifest: dict, result: dict, quantiles: list[dict], scenarios: dict[str, dict],
                     plot_paths: list[Path]) -> str:
    """Log the experiment; returns the parent run's id. A failure part-way marks the runs made so
    far FAILED and raises, naming the parent run."""
    with _quiet():
        client, uri = _client()
        exp_id = _experiment_id(client, uri, MC_EXPERIMENT)
        sampling = "lhs" if manifest["lhs"] else "per-run" if manifest["sample_params"] else "none"
        seats = _seats_by_arm(out, manifest)
        parent = client.create_run(exp_id, run_name=f"mc {out.name}", tags={"wargame.out_dir": str(out.resolve())})
        pid = parent.info.run_id
        made = [pid]
        with _failing_marks(client, made):
            _log_experiment(client, exp_id, pid, made, out, manifest, result, quantiles, scenarios, plot_paths,
                            sampling, seats)
        return pid


class RunFailed(RuntimeError):
    """Logging into MLflow run `run_id` failed part-way (the cause is chained); the run is marked FAILED."""

    def __init__(self, run_id: str):
        super().__init__(f"MLflow run {run_id} is marked FAILED")
        self.run_id = run_id


def failure_line(exc: BaseException) -> tuple[str, str]:
    """An exception from tracking as (its kind, one line): the cause's, and the run left FAILED."""
    if isinstance(exc, RunFailed) and exc.__cause__ is not None:
        return type(exc.__cause__).__name__, f"{brief(exc.__cause__, 150)} ({exc})"
    return type(exc).__name__, brief(exc)


def _log_experiment(client, exp_id: str, pid: str, made: list[str], out: Path, manifest: dict, result: dict,
                    quantiles: list[dict], scenarios: dict[str, dict], plot_paths: list[Path], sampling: str,
                    seats: list[dict]) -> None:
    client.log_batch(pid, params=_params({
        "scenario": ",".join(s or "saved game" for s in manifest["scenarios"]), "seed": manifest["seed"],
        "runs": manifest["runs"], "seats": _common_seats(seats), "seat_overrides": manifest["seats"],
        "sampling": sampling, "compare": manifest["compare"], "from_save": manifest["from_save"] or "",
        "arms": [a["name"] for a in result["arms"]]}))
    _log_metrics(client, pid, [(f"final.{m}.{p}", s[p], 0) for m, s in result["summary"].items() for p in ("mean", "p10", "p50", "p90")])
    client.set_tag(pid, "results_hash", result["results_hash"])
    for name in ("summary.md", "manifest.json", "results.json"):
        if (out / name).exists():
            client.log_artifact(pid, str(out / name))
    for path in plot_paths:
        client.log_artifact(pid, str(path), "plots")
    for sc_name in scenarios:
        path = out / f"scenario-{sc_name}.json"
        if path.exists():
            client.log_artifact(pid, str(path), "scenarios")
    client.log_artifacts(pid, str(out / "runs"), "parquet/runs")
    client.log_artifacts(pid, str(out / "turns"), "parquet/turns")
    for i, (arm, q) in enumerate(zip(result["arms"], quantiles, strict=True)):
        child = client.create_run(exp_id, run_name=arm["name"], tags={"mlflow.parentRunId": pid, "wargame.arm_index": str(i)})
        cid = child.info.run_id
        made.append(cid)
        spec = manifest["arms"][i]
        quarters = q.get("quarters") or []  # step = turn; arms on different calendars say which quarters
        client.log_batch(cid, params=_params({"arm": arm["name"], "scenario": spec["scenario"] or "saved game",
                                              "seats": seats[i], "seat_overrides": dict(spec["overrides"]),
                                              "runs": manifest["runs"], "seed": manifest["seed"], "sampling": sampling,
                                              "turns": f"{q['turns'][0]}-{q['turns'][-1]} = {quarters[0]}-{quarters[-1]}" if quarters else ""}))
        items = [(_key(f"{p}.{m}"), v, t) for m in q if m not in ("turns", "quarters")
                 for p in ("p10", "p50", "p90") for t, v in zip(q["turns"], q[m][p], strict=True)]
        items += [(f"final.{m}.{p}", s[p], 0) for m, s in arm["summary"].items() for p in ("mean", "p10", "p50", "p90")]
        if i > 0:
            items += [(f"diff_vs_first.{m}", d["mean"], 0) for m, d in arm["diff_vs_first"].items()]
        _log_metrics(client, cid, items)
        for path in plot_paths:
            if path.name.startswith("fan_") and path.stem == f"fan_{_safe(arm['name'])}":
                client.log_artifact(cid, str(path), "plots")
        sc_path = out / f"scenario-{_safe(spec['scenario'] or 'saved')}.json"
        if sc_path.exists():
            client.log_artifact(cid, str(sc_path))
        client.set_terminated(cid)
    client.set_terminated(pid)


class TrackingFailed(RuntimeError):
    """Tracking failed in the tracking process; `kind` names the exception it raised there."""

    def __init__(self, kind: str, what: str):
        super().__init__(what)
        self.kind = kind


def _serve(conn) -> None:
    """The tracking process: import MLflow (and the SQL store a sqlite URI needs) at once, then
    log the experiment it is handed, or end quietly if it is handed nothing."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        with _quiet():
            import mlflow.store.tracking.sqlalchemy_store  # noqa: F401
            import mlflow.tracking  # noqa: F401
    except Exception:  # the real call below meets it again and reports it
        pass
    try:
        args = conn.recv()
    except (EOFError, OSError):
        return
    if args is None:
        return
    try:
        reply = ("ok", track_experiment(*args), "")
    except BaseException as exc:  # every failure goes back as one line
        reply = ("error", *failure_line(exc))
    try:
        conn.send(reply)
    except OSError:
        pass


class TrackingProcess:
    """Logs an experiment from a forked process that starts importing MLflow at once. Importing
    MLflow and its SQL store takes some 2.5 s, more than logging does; started when the games are
    done, the import runs on the core the workers left while this process writes the summary and
    draws the plots, so tracking adds little wall time. Fork, not spawn: nothing to re-import."""

    def __init__(self):
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child,), daemon=True, name="wargame-tracking")
        self._proc.start()
        child.close()

    def track(self, out: Path, manifest: dict, result: dict, quantiles: list[dict], scenarios: dict[str, dict],
              plot_paths: list[Path]) -> str:
        """track_experiment(...) in the tracking process; its run id, or TrackingFailed."""
        try:
            self._conn.send((out, manifest, result, quantiles, scenarios, plot_paths))
            status, value, what = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise TrackingFailed("ChildProcessError", f"the tracking process ended early ({exc or 'no reply'})") from None
        finally:
            self.close()
        if status != "ok":
            raise TrackingFailed(value, what)
        return value

    def close(self) -> None:
        """End the process without logging (if it still waits) and reap it."""
        self._conn.close()
        self._proc.join(timeout=30)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join()


def _safe(name: str) -> str:
    from wargame.mc.report import safe_name

    return safe_name(name)


def track_game(session, args_seed_given: bool = True) -> str:
    """Log one game: params, every numeric metric per turn (step = turn), the save file."""
    with _quiet():
        client, uri = _client()
        exp_id = _experiment_id(client, uri, RUN_EXPERIMENT)
        run = client.create_run(exp_id, run_name=f"{session.scenario.name} seed {session.seed}")
        rid = run.info.run_id
        with _failing_marks(client, [rid]):
            _log_game(client, rid, session)
        return rid


def _log_game(client, rid: str, session) -> None:
    import tempfile

    client.log_batch(rid, params=_params({"scenario": session.scenario.name, "seed": session.seed,
                                          "seats": session.seats, "param_draw": session.param_draw or {},
                                          "sample_params": session.param_draw is not None}))
    items = [(_key(k), v, rec["turn"]) for rec in session.timeline for k, v in rec.items()
             if k != "turn" and isinstance(v, (int, float)) and not isinstance(v, bool)]
    _log_metrics(client, rid, items)
    with tempfile.TemporaryDirectory(prefix="wargame-track-") as tmp:
        path = Path(tmp) / "game.json"
        session.save(path)
        client.log_artifact(rid, str(path))
    client.set_terminated(rid)
