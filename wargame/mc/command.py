"""The `wargame mc` command: flags -> manifest -> chunks -> results, report, tracking."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

from wargame.mc import experiment as ex

DASK_MISSING = "dask executor needs dask.distributed, which is not installed (pip install 'dask[distributed]')"


def _given(args) -> dict:
    return {f: getattr(args, f, None) for f in ex.EXPERIMENT_FLAGS}


def _make_dir(out: Path) -> list[Path]:
    """Create `out` and any missing parents; returns the directories this made, innermost first.
    A path that cannot be a directory is one line naming --out and why."""
    made, p = [], out
    while not p.exists() and not p.is_symlink() and p != p.parent:
        made.append(p)
        p = p.parent
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        if p.exists() and not p.is_dir():
            why = f"{p} is a file, not a directory"
        raise ex.McError(f"--out {out}: cannot create this directory ({why}); give a directory path that can be "
                         "created and written") from None
    return made


def prepare(args, workers: int | None = None) -> tuple[Path, dict, list[Path]]:
    """The experiment directory and its manifest (new, or read back for --resume), and what this
    invocation created (the manifest and directories a failed start takes back: see `_take_back`)."""
    if args.resume is not None:
        out = Path(args.resume)
        manifest = ex.read_manifest(out)
        bad = ex.contradictions(manifest, _given(args))
        if args.out is not None and Path(args.out).resolve() != out.resolve():
            bad.append(f"--out {args.out} (resuming writes to {out})")
        if bad:
            raise ex.McError(f"--resume {out}: {'; '.join(bad)} contradicts the experiment's manifest; drop it or start a new experiment")
        return out, manifest, []
    manifest = ex.build_manifest(args.scenario, args.runs, args.seed, args.seat, args.compare, args.compare_scenarios,
                                 args.sample_params, args.lhs, args.from_save, args.chunk_size, workers)
    if manifest["from_save"]:
        saved = ex.saved_session(ex.manifest_key(manifest))
        if saved.is_over:
            raise ex.McError(f"--from-save {args.from_save}: the saved game is at its scenario's end ({saved.world.turn} of "
                             f"{saved.scenario.turns} turns played), so every future would be the same game; fork a save "
                             "made before the end (e.g. wargame run --turns 12 --save FILE)")
    manifest["track"] = not args.no_track  # what a plain --resume does (older manifests: tracked)
    out = Path(args.out) if args.out is not None else ex.default_out_dir()
    if out.exists() and not out.is_dir():
        raise ex.McError(f"--out {out}: is a file, not a directory; give a new or empty directory")
    if out.exists() and any(out.iterdir()):
        raise ex.McError(f"--out {out}: exists and is not an empty directory (continue an experiment with --resume {out})")
    made = _make_dir(out)
    try:
        ex.write_json_atomic(out / ex.MANIFEST, manifest)  # first: from here on the directory can be resumed
    except OSError as exc:
        _take_back(out, made + [out / ex.MANIFEST])
        raise ex.McError(f"--out {out}: cannot write there ({exc.strerror or type(exc).__name__}); give a directory "
                         "you can write to") from None
    return out, manifest, made + [out / ex.MANIFEST]


def _take_back(out: Path, created: list[Path]) -> None:
    """Undo a start that played nothing, so the same command can simply be run again: remove the
    manifest and directories this invocation created, only while no chunk file is in them. Never
    deletes a directory that holds anything else or that existed before (rmdir of empty ones only)."""
    for sub in ("runs", "turns"):
        d = out / sub
        if d.is_dir() and any(d.iterdir()):
            return  # something was played (or is there): keep everything, it can be resumed
    manifest = out / ex.MANIFEST
    if manifest in created:
        manifest.unlink(missing_ok=True)
        for sub in ("runs", "turns"):
            with contextlib.suppress(OSError):
                (out / sub).rmdir()
    for d in (p for p in created if p != manifest):  # innermost first
        try:
            d.rmdir()
        except OSError:
            return


def _tracking(args, manifest: dict) -> bool:
    """--no-track and --track win; else a new experiment tracks, and a resume does what the
    experiment was started with (its manifest's `track`; older manifests were tracked)."""
    if args.no_track or args.track:
        return bool(args.track)
    return bool(manifest.get("track", True))


def _once(args, flag: str) -> str | None:
    values = getattr(args, flag)
    if values is None or isinstance(values, str):
        return values
    name = "--" + flag.replace("_", "-")
    if len(values) > 1:
        raise ex.McError(f"{name} may be given once ({' and '.join(f'{name} {v}' for v in values)}); list every arm in one, "
                         f"e.g. {name} {values[0]}")
    return values[0]


def run_mc(args) -> int:
    t0 = time.perf_counter()
    args.compare, args.compare_scenarios = _once(args, "compare"), _once(args, "compare_scenarios")
    if args.runs is not None and args.runs < 1:
        raise ex.McError(f"--runs {args.runs}: must be at least 1")
    if args.workers is not None and args.workers < 1:
        raise ex.McError(f"--workers {args.workers}: must be at least 1")
    if args.scheduler is not None and args.executor != "dask":
        raise ex.McError("--scheduler ADDR is for --executor dask")
    if args.no_track and args.track:
        raise ex.McError("--track and --no-track: give one")
    if args.executor == "dask":
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            raise ex.McError(DASK_MISSING) from None
        if args.scheduler is not None:
            problem = ex.scheduler_problem(args.scheduler)
            if problem:
                raise ex.McError(f"--scheduler {args.scheduler}: not a scheduler address ({problem}); "
                                 "e.g. tcp://host:8786")
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    out, manifest, created = prepare(args, workers)
    args.mc_out = out  # for the interrupt's message: how to continue
    try:
        obj, quantiles, final_quarters, collected = finish_experiment(out, manifest, workers, args.executor, args.scheduler,
                                                              track=_tracking(args, manifest), t0=t0)
    except Exception:
        _take_back(out, created)
        if not out.exists():
            args.mc_out = None
        raise
    if args.json:
        print(json.dumps({k: v for k, v in obj.items() if not k.startswith("_")}, sort_keys=True, allow_nan=False))
    else:
        print(speed_line(manifest, obj))
        print(f"final quarter ({', '.join(dict.fromkeys(final_quarters))}): flows are that quarter's values, "
              "stocks what is in service at its end (additions less retirements)")
        print(report_text(obj, manifest, collected, final_quarters))
        print(f"results_hash {obj['results_hash']}")
        print(f"results in {out}" + (f"; MLflow run {obj['mlflow_run_id']}" if obj["mlflow_run_id"] else ""))
    return 0


def speed_line(manifest: dict, obj: dict) -> str:
    """What was done and how fast, each figure named: the wall time covers the whole command
    (set-up, play, report, plots, tracking); games/s is `games_per_s`, the games this invocation
    played per second of play."""
    runs, arms = manifest["runs"], len(manifest["arms"])
    total = runs * arms
    games = f"{total} game{'s' if total != 1 else ''}" + (f" ({runs} runs x {arms} arms)" if arms > 1 else "")
    head = f"{games} in {obj['wall_s']:.1f} s wall"
    if not obj["games_per_s"]:
        return f"{head}; nothing left to play (all played before)"
    played = obj["_played"]
    earlier = "" if played == total else f"; {played} played now, {total - played} before"
    return f"{head} (set-up, report and tracking included); {obj['games_per_s']:.1f} games/s while playing{earlier}"


def report_text(obj: dict, manifest: dict | None = None, collected: dict | None = None,
                final_quarters: list[str] | None = None) -> str:
    """The terminal's table of the arms (a hypothetical scenario's arm says so, given the
    manifest), then, given the final values (`collected`), the headline events: k of n runs,
    the share and its 95 % interval (the same counts as summary.md; not in --json)."""
    from wargame.mc import report

    result = obj["_result"]
    names = report.display_names([a["name"] for a in result["arms"]], manifest)
    width = shutil.get_terminal_size((120, 24)).columns if sys.stdout.isatty() else None
    text = report.text_table(result, names=names, width=width)
    if collected is not None and final_quarters:
        text += "\n\n" + report.events_text(collected, names, final_quarters)
    return text


def finish_experiment(out, manifest: dict, workers: int, executor: str = "local", scheduler: str | None = None,
                      track: bool = True, t0: float | None = None) -> tuple[dict, list, list, dict]:
    """Play what is missing, then write summary.md, plots and results.json, and track the
    experiment (a tracking failure warns once and loses nothing). Returns the result object
    (as `--json` prints it), the per-turn quantiles, each arm's final quarter and the final
    values per arm (wargame.mc.experiment.collect). Used by `wargame mc` and `wargame report`."""
    t0 = time.perf_counter() if t0 is None else t0
    result = ex.run_experiment(out, manifest, workers, executor, scheduler)
    write_timing(out, result, workers, executor)
    if not track:
        return _finish(out, manifest, result, None, t0)
    tracked = already_tracked(manifest, result["results_hash"])
    if tracked is not None:  # a resume of a finished, tracked experiment: one parent run per experiment
        print(f"wargame: note: this experiment is already tracked as MLflow run {tracked}; not logging it again",
              file=sys.stderr)
        got = _finish(out, manifest, result, None, t0)
        got[0]["mlflow_run_id"] = tracked
        ex.write_json_atomic(out / "results.json", {k: v for k, v in got[0].items() if not k.startswith("_")})
        return got
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
    result.pop("worker_peak_rss_mb", None)

    from wargame.mc import report

    quantiles = [ex.turn_quantiles(out, manifest, a) for a in range(len(manifest["arms"]))]
    final_quarters = [q["quarters"][-1] if q["quarters"] else "?" for q in quantiles]
    key = ex.manifest_key(manifest)
    scenarios = {}
    for sc in dict.fromkeys(a["scenario"] for a in manifest["arms"]):
        dump = ex.arm_scenario(key, sc).model_dump(mode="json")
        name = report.safe_name(sc or "saved")
        scenarios[name] = dump
        ex.write_json_atomic(out / f"scenario-{name}.json", dump)
    (out / "summary.md").write_text(report.summary_md(result, collected, manifest, final_quarters))
    plot_paths = report.plots(out, collected, quantiles, result, report.fork_quarter(manifest), manifest)
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
            from wargame.mc.tracking import brief

            kind = getattr(exc, "kind", type(exc).__name__)
            print(f"wargame: warning: MLflow tracking failed ({kind}: {brief(exc, 300)}); results are in {out} "
                  f"(wargame mc --resume {out} tracks it again)", file=sys.stderr)
            obj["wall_s"] = round(time.perf_counter() - t0, 3)
        else:
            obj["wall_s"] = round(time.perf_counter() - t0, 3)  # the whole experiment, tracking included
            ex.write_json_atomic(out / "results.json", obj)
            remember_tracking(out, manifest, obj["mlflow_run_id"], result["results_hash"])
    return {**obj, "_played": played, "_result": result}, quantiles, final_quarters, collected


def already_tracked(manifest: dict, results_hash: str) -> str | None:
    """The MLflow run this experiment was logged as in the store tracking points at now, with
    these results; else None (never logged there, or its tracking failed)."""
    from wargame.mc.tracking import store_id, tracking_uri

    here = store_id(tracking_uri())
    for done in manifest.get("mlflow_runs") or []:
        if done.get("store") == here and done.get("results_hash") == results_hash:
            return done.get("run_id")
    return None


def remember_tracking(out: Path, manifest: dict, run_id: str, results_hash: str) -> None:
    """Add the parent run to the manifest's list (one per store it was logged into), so a later
    --resume does not log the experiment into that store twice."""
    from wargame.mc.tracking import store_id, tracking_uri

    here = store_id(tracking_uri())
    runs = [r for r in manifest.get("mlflow_runs") or [] if r.get("store") != here]
    manifest["mlflow_runs"] = runs + [{"run_id": run_id, "store": here, "results_hash": results_hash}]
    with contextlib.suppress(OSError):  # the run is logged; failing to note it costs a duplicate at most
        ex.write_json_atomic(out / ex.MANIFEST, manifest)


def write_timing(out: Path, result: dict, workers: int, executor: str) -> None:
    """timing.json: how this invocation played (games, seconds of play, workers, the workers'
    largest peak RSS): what benchmarks/mc_throughput.py reads; not part of the results."""
    played, play_s = result["games_played"], result["play_s"]
    if not played:
        return  # a resume with nothing left to play keeps the timing of the invocation that played
    with contextlib.suppress(OSError):
        ex.write_json_atomic(out / "timing.json", {
            "games_played": played, "play_s": round(play_s, 3), "workers": workers, "executor": executor,
            "games_per_s": round(played / play_s, 3) if played and play_s > 0 else None,
            "worker_peak_rss_mb": result.get("worker_peak_rss_mb")})


def track_run(session) -> tuple[str, str] | None:
    """`wargame run --track`: the MLflow run id and tracking URI, or one warning line (and None)
    if tracking fails."""
    try:
        from wargame.mc.tracking import track_game, tracking_uri

        return track_game(session), tracking_uri()
    except Exception as exc:
        from wargame.mc.tracking import failure_line

        print(f"wargame: warning: MLflow tracking failed ({': '.join(failure_line(exc))}); the game itself is unaffected",
              file=sys.stderr)
        return None
