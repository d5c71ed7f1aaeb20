"""The `wargame mc` command: flags -> manifest -> chunks -> results, report, tracking."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from wargame.mc import experiment as ex

DASK_MISSING = "dask executor needs dask.distributed, which is not installed (pip install 'dask[distributed]')"


def _given(args) -> dict:
    return {f: getattr(args, f, None) for f in ex.EXPERIMENT_FLAGS}


def prepare(args) -> tuple[Path, dict]:
    """The experiment directory and its manifest (new, or read back for --resume)."""
    if args.resume is not None:
        out = Path(args.resume)
        manifest = ex.read_manifest(out)
        bad = ex.contradictions(manifest, _given(args))
        if args.out is not None and Path(args.out).resolve() != out.resolve():
            bad.append(f"--out {args.out} (resuming writes to {out})")
        if bad:
            raise ex.McError(f"--resume {out}: {'; '.join(bad)} contradicts the experiment's manifest; drop it or start a new experiment")
        return out, manifest
    manifest = ex.build_manifest(args.scenario, args.runs, args.seed, args.seat, args.compare, args.compare_scenarios,
                                 args.sample_params, args.lhs, args.from_save, args.chunk_size)
    out = Path(args.out) if args.out is not None else ex.default_out_dir()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ex.McError(f"--out {out}: exists and is not an empty directory (continue an experiment with --resume {out})")
    out.mkdir(parents=True, exist_ok=True)
    ex.write_json_atomic(out / ex.MANIFEST, manifest)  # first: from here on the directory can be resumed
    return out, manifest


def run_mc(args) -> int:
    t0 = time.perf_counter()
    if args.runs is not None and args.runs < 1:
        raise ex.McError(f"--runs {args.runs}: must be at least 1")
    if args.workers is not None and args.workers < 1:
        raise ex.McError(f"--workers {args.workers}: must be at least 1")
    if args.scheduler is not None and args.executor != "dask":
        raise ex.McError("--scheduler ADDR is for --executor dask")
    if args.executor == "dask":
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            raise ex.McError(DASK_MISSING) from None
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    out, manifest = prepare(args)
    obj, quantiles, final_quarters, _ = finish_experiment(out, manifest, workers, args.executor, args.scheduler,
                                                          track=not args.no_track, t0=t0)
    if args.json:
        print(json.dumps({k: v for k, v in obj.items() if not k.startswith("_")}, sort_keys=True, allow_nan=False))
    else:
        arms = len(manifest["arms"])
        print(f"{manifest['runs']} runs x {arms} arm{'s' if arms > 1 else ''} in {obj['wall_s']:.1f} s"
              + (f" ({obj['games_per_s']:.1f} games/s, {obj['_played']} played now)" if obj["games_per_s"] else " (nothing left to play)"))
        print(f"final turn ({', '.join(dict.fromkeys(final_quarters))}):")
        print(report_text(obj))
        print(f"results_hash {obj['results_hash']}")
        print(f"results in {out}" + (f"; MLflow run {obj['mlflow_run_id']}" if obj["mlflow_run_id"] else ""))
    return 0


def report_text(obj: dict) -> str:
    from wargame.mc import report

    return report.text_table(obj["_result"])


def finish_experiment(out, manifest: dict, workers: int, executor: str = "local", scheduler: str | None = None,
                      track: bool = True, t0: float | None = None) -> tuple[dict, list, list, dict]:
    """Play what is missing, then write summary.md, plots and results.json, and track the
    experiment (a tracking failure warns once and loses nothing). Returns the result object
    (as `--json` prints it), the per-turn quantiles, each arm's final quarter and the final
    values per arm (wargame.mc.experiment.collect). Used by `wargame mc` and `wargame report`."""
    t0 = time.perf_counter() if t0 is None else t0
    result = ex.run_experiment(out, manifest, workers, executor, scheduler)
    if not track:
        return _finish(out, manifest, result, None, t0)
    from wargame.mc.tracking import TrackingProcess

    tracker = TrackingProcess()  # imports MLflow while this process writes the report below
    try:
        return _finish(out, manifest, result, tracker, t0)
    finally:
        tracker.close()


def _finish(out, manifest: dict, result: dict, tracker, t0: float) -> tuple[dict, list, list, dict]:
    """The report, plots and results.json of a played experiment, then its tracking (if `tracker`)."""
    collected = result.pop("_collected")
    played, play_s = result.pop("games_played"), result.pop("play_s")

    from wargame.mc import report

    quantiles = [ex.turn_quantiles(out, manifest, a) for a in range(len(manifest["arms"]))]
    final_quarters = [q["quarters"][-1] if q["quarters"] else "?" for q in quantiles]
    key = ex.manifest_key(manifest)
    scenarios = {}
    for sc in dict.fromkeys(a["scenario"] for a in manifest["arms"]):
        dump = ex._scenario(key, sc).model_dump(mode="json")
        name = report.safe_name(sc or "saved")
        scenarios[name] = dump
        ex.write_json_atomic(out / f"scenario-{name}.json", dump)
    (out / "summary.md").write_text(report.summary_md(result, collected, manifest, final_quarters))
    plot_paths = report.plots(out, collected, quantiles, result)
    wall = time.perf_counter() - t0
    obj = {"runs": result["runs"], "wall_s": round(wall, 3),
           "games_per_s": round(played / play_s, 3) if played and play_s > 0 else None,
           "results_hash": result["results_hash"], "out_dir": str(out), "mlflow_run_id": None,
           "summary": result["summary"], "arms": result["arms"]}
    ex.write_json_atomic(out / "results.json", obj)
    if tracker is not None:
        try:
            obj["mlflow_run_id"] = tracker.track(out, manifest, result, quantiles, scenarios, plot_paths)
        except Exception as exc:  # the results are on disk whatever happened to tracking
            what = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
            kind = getattr(exc, "kind", type(exc).__name__)
            print(f"wargame: warning: MLflow tracking failed ({kind}: {what}); results are in {out}", file=sys.stderr)
            obj["wall_s"] = round(time.perf_counter() - t0, 3)
        else:
            obj["wall_s"] = round(time.perf_counter() - t0, 3)  # the whole experiment, tracking included
            ex.write_json_atomic(out / "results.json", obj)
    return {**obj, "_played": played, "_result": result}, quantiles, final_quarters, collected


def track_run(session) -> None:
    """`wargame run --track`: one warning line if tracking fails."""
    try:
        from wargame.mc.tracking import track_game

        track_game(session)
    except Exception as exc:
        what = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        print(f"wargame: warning: MLflow tracking failed ({type(exc).__name__}: {what}); the game itself is unaffected",
              file=sys.stderr)
