"""Monte Carlo experiments: N games per arm, in parallel, streamed to Parquet, resumable.

Seeds. Run i of an experiment with `--seed S` plays game seed `S * 1_000_003 + i` (so with
`--seed 0`, run i is exactly `wargame run --seed i`). The seed depends only on (S, i): never on
the number of workers, the chunking or the arm, so every arm plays the same seeds (common
random numbers).

Parameter draws. `--sample-params`: run i draws every parameter that has a distribution from
its own game seed (wargame.sampling, keyed by parameter name, so arms with the same
distribution get the same draw). `--lhs`: a Latin hypercube across the N runs instead: for each
parameter, the quantiles (perm[i] + jitter[i]) / N, with the permutation and jitter drawn from
`stream(S, LHS_KEY, crc32(name))`, mapped through that parameter's inverse CDF
(wargame.distributions.draw). Each run's draw is recorded as `param.<name>` columns.

Layout of DIR:
    manifest.json                 the experiment's arguments, arms and column types (written first)
    runs/part-aAAA-cCCCCCC.parquet   one row per run of arm AAA, chunk CCCCCC (final metrics)
    turns/part-aAAA-cCCCCCC.parquet  one row per run and turn (every metric)
    results.json, summary.md, plots/*.png, scenario-*.json

A chunk is finished when its `runs` file exists: the `turns` file is written first, each file
to a temporary name then renamed, so a killed experiment leaves only whole chunks and
`--resume DIR` plays exactly the missing ones.

`results_hash` is sha256 over the runs in (arm, run) order of the canonical JSON of
{arm, run, seed, final record}: identical for any number of workers and across a resume.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import functools
import hashlib
import json
import math
import os
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from wargame.forkpool import fork_pool
from wargame.limits import MAX_RUNS, python_reason
from wargame.mc.manifest_schema import manifest_problem
from wargame.metrics import CONTRACT_KEYS

FORMAT = 1
MANIFEST = "manifest.json"
DEFAULT_RUNS = 100
DEFAULT_CHUNK = 25  # runs per chunk, at most: a chunk is a unit of work, of resuming and a pair of Parquet files
CHUNKS_PER_WORKER = 4  # a small experiment is cut finer, so every worker gets work and they end together
SEED_STRIDE = 1_000_003
assert MAX_RUNS < SEED_STRIDE  # more runs would replay the next --seed's games
MAX_SEED = (2**63 - 1 - SEED_STRIDE) // SEED_STRIDE  # game seeds are Parquet int64
LHS_KEY = 0x4C4853  # "LHS": spawn-key slot of the experiment seed for Latin-hypercube quantiles
KEY_METRICS = ("us_china_stock_ratio", "china_compute_stock_h100e", "china_self_sufficiency", "smuggled_h100e")
TRACK_METRICS = KEY_METRICS + ("us_china_output_ratio", "huawei_output_chips", "china_unmet_demand_h100e",
                               "nvidia_china_revenue_usd_b")
# settings that define an experiment (a --resume may repeat them, never change them)
EXPERIMENT_FLAGS = ("scenario", "runs", "seed", "seat", "compare", "compare_scenarios", "sample_params", "lhs",
                    "from_save", "chunk_size")


class McError(Exception):
    """Bad input for an experiment: one line, exit status 2."""


def game_seed(seed: int, run: int) -> int:
    return int(seed) * SEED_STRIDE + int(run)


@dataclass(frozen=True)
class Arm:
    name: str
    scenario: str  # a built-in name or a path ("" for --from-save: the save's scenario)
    overrides: tuple[tuple[str, str], ...]


# --- the experiment's definition ------------------------------------------------------------------
def _parse_compare(text: str | None) -> tuple[str, list[str]] | None:
    if text is None:
        return None
    from policies.registry import canonical_policy

    actor, sep, rest = text.partition("=")
    policies = [p.strip() for p in rest.split(",")] if sep else []
    if not sep or not actor or not policies or any(not p for p in policies):
        raise McError(f"--compare {text!r}: expected ACTOR=POLICY1,POLICY2,..., e.g. us=doctrine,idle")
    if len(policies) < 2:
        raise McError(f"--compare {text!r}: one policy, nothing to compare; list at least two, e.g. {actor}=doctrine,idle "
                      f"(or play one with --seat {text})")
    seen: dict[str, str] = {}
    for p in policies:
        same = seen.setdefault(canonical_policy(p), p)
        if same != p or policies.count(p) > 1:
            alias = f" ({same} and {p} are the same policy)" if same != p else ""
            raise McError(f"--compare {text!r}: a policy is listed twice{alias}; each arm needs a different policy")
    return actor, policies


def _parse_list(flag: str, text: str | None) -> list[str] | None:
    if text is None:
        return None
    items = [s.strip() for s in text.split(",")]
    if any(not s for s in items):
        raise McError(f"{flag} {text!r}: expected a comma-separated list without empty entries")
    if len(set(items)) != len(items):
        raise McError(f"{flag} {text!r}: an entry is listed twice")
    return items


def _parse_seat_pairs(pairs: list[str]) -> dict[str, str]:
    seats = {}
    for pair in pairs:
        actor, sep, policy = pair.partition("=")
        if not sep or not actor or not policy:
            raise McError(f"--seat {pair!r}: expected ACTOR=POLICY, e.g. us=random")
        if actor in seats:
            raise McError(f"--seat {actor}={seats[actor]} and --seat {pair}: the {actor} seat is given twice; give it once "
                          f"(or compare them with --compare {actor}={seats[actor]},{policy})")
        seats[actor] = policy
    return seats


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def default_chunk(runs: int, arms: int, workers: int | None) -> int:
    """Runs per chunk: DEFAULT_CHUNK, or fewer when the experiment has fewer than CHUNKS_PER_WORKER
    chunks per worker (24 runs on 2 workers would otherwise be one chunk on one core). Results do
    not depend on it: results_hash covers the runs in run order, however they were chunked."""
    if workers is None:
        return DEFAULT_CHUNK
    per_arm = -(-CHUNKS_PER_WORKER * workers // max(1, arms))  # chunks each arm needs
    return max(1, min(DEFAULT_CHUNK, -(-runs // per_arm)))


def scenario_sha256(key: str, name: str) -> str:
    """sha256 of a scenario as loaded (canonical JSON): what a resume checks has not changed."""
    dump = arm_scenario(key, name).model_dump(mode="json")
    return hashlib.sha256(_canonical(dump).encode()).hexdigest()


def build_manifest(scenario: str | None, runs: int | None, seed: int | None, seat: list[str], compare: str | None,
                   compare_scenarios: str | None, sample_params: bool, lhs: bool, from_save: str | None,
                   chunk_size: int | None, workers: int | None = None) -> dict:
    """Check the flags and turn them into the manifest (raises McError or ScenarioError/SaveError).
    Without --chunk-size, the chunk size suits `workers` (see default_chunk)."""
    from policies.registry import policy_problem
    from wargame import MODEL_VERSION

    runs = DEFAULT_RUNS if runs is None else runs
    seed = 0 if seed is None else seed
    chosen_chunk = chunk_size
    chunk_size = DEFAULT_CHUNK if chunk_size is None else chunk_size
    if runs < 1:
        raise McError(f"--runs {runs}: must be at least 1")
    if seed < 0:
        raise McError(f"--seed {seed}: must be a non-negative integer")
    if runs > MAX_RUNS:
        raise McError(f"--runs {runs}: at most {MAX_RUNS:,} per arm (more would replay the next --seed's games); "
                      "split it into experiments with --seed 0, 1, ...")
    if seed > MAX_SEED:
        raise McError(f"--seed {seed}: at most {MAX_SEED:,} (game seeds SEED*1000003+run are 64-bit integers)")
    if chunk_size < 1:
        raise McError(f"--chunk-size {chunk_size}: must be at least 1")
    if lhs and not sample_params:
        raise McError("--lhs stratifies the parameter draws across runs: it needs --sample-params")
    scenarios = _parse_list("--compare-scenarios", compare_scenarios)
    if scenarios is not None and len(scenarios) < 2:
        raise McError(f"--compare-scenarios {compare_scenarios!r}: one scenario, nothing to compare; list at least two "
                      f"(or play one with --scenario {scenarios[0]})")
    cmp = _parse_compare(compare)
    seats = _parse_seat_pairs(seat)
    if cmp is not None and cmp[0] in seats:
        raise McError(f"--seat {cmp[0]}={seats[cmp[0]]} and --compare {compare}: the {cmp[0]} seat is both fixed and "
                      "compared; drop one")
    save_sha = None
    if from_save is not None:
        if not from_save.strip():
            raise McError("--from-save: empty path; give a saved game's file")
        if scenario is not None or scenarios is not None:
            raise McError("--from-save forks a saved game with its own scenario: drop --scenario/--compare-scenarios")
        if sample_params:
            raise McError("--from-save: a saved game carries its own parameter draw; drop --sample-params/--lhs")
        if not os.path.isfile(from_save):
            raise McError(f"--from-save {from_save}: no such file")
        from_save = os.path.abspath(from_save)
        save_sha = sha256_file(from_save)
        scenarios = [""]
    elif scenarios is not None:
        if scenario is not None:
            raise McError("--scenario and --compare-scenarios: give one (the first compared scenario is the base arm)")
        _refuse_same_scenario(compare_scenarios, scenarios)
    else:
        if scenario is not None and not scenario.strip():
            raise McError("--scenario: empty name; give a file or a built-in name")
        scenarios = [scenario or "baseline"]
    manifest = {
        "format": FORMAT, "runs": runs, "seed": seed, "chunk_size": chunk_size, "seats": seats,
        "compare": None if cmp is None else {"actor": cmp[0], "policies": cmp[1]},
        "scenarios": scenarios, "compare_scenarios": compare_scenarios is not None,
        "sample_params": sample_params, "lhs": lhs, "from_save": from_save, "from_save_sha256": save_sha,
    }
    for sc_name in scenarios:
        actors = arm_scenario(manifest_key(manifest), sc_name).actors
        for actor, policy in list(seats.items()) + ([(cmp[0], p) for p in cmp[1]] if cmp else []):
            flag = "--compare" if cmp and actor == cmp[0] and (actor, policy) not in seats.items() else "--seat"
            if actor not in actors:
                raise McError(f"{flag} {actor}={policy}: unknown actor {actor!r}; actors: {', '.join(actors)}")
            if policy_problem(policy, actor):
                raise McError(f"{flag} {actor}={policy}: {policy_problem(policy, actor)}")
    manifest["arms"] = [{"name": a.name, "scenario": a.scenario, "overrides": [list(p) for p in a.overrides]}
                        for a in make_arms(manifest)]
    _refuse_colliding_files(manifest)
    if chosen_chunk is None:
        manifest["chunk_size"] = default_chunk(runs, len(manifest["arms"]), workers)
    # what a resume must find unchanged: the model (its version) and every scenario as loaded
    manifest["model_version"] = MODEL_VERSION
    manifest["scenario_sha256"] = {sc: scenario_sha256(manifest_key(manifest), sc) for sc in scenarios if sc}
    manifest["param_names"] = _param_names(manifest)
    manifest["metric_types"] = _metric_types(manifest)
    manifest["digest"] = definition_digest(manifest)
    return manifest


# What a manifest may change after it is written without changing a result: whether a plain
# --resume tracks, and the MLflow runs it was logged to (both about tracking, not the games).
NOT_DEFINITION = ("track", "mlflow_runs", "digest")


def definition_digest(manifest: dict) -> str:
    """sha256 of the experiment's definition (every field but NOT_DEFINITION): a --resume refuses
    a manifest whose digest does not match, so an edit (another seed, fewer runs) can never mix
    two experiments' games in one directory."""
    definition = {k: v for k, v in manifest.items() if k not in NOT_DEFINITION}
    return hashlib.sha256(_canonical(definition).encode()).hexdigest()


def _refuse_same_scenario(text: str | None, scenarios: list[str]) -> None:
    """Two spellings of one scenario file (a built-in name and its path, `a.yaml` and `./a.yaml`)
    would compare a scenario with itself: refused as a policy listed twice is."""
    from wargame.scenario import ScenarioError, scenario_identity

    seen: dict[str, str] = {}
    for sc in scenarios:
        try:
            same = seen.setdefault(scenario_identity(sc), sc)
        except ScenarioError:
            continue  # an unknown one is reported when it is loaded
        if same != sc:
            raise McError(f"--compare-scenarios {text!r}: {same} and {sc} are the same scenario file; each arm needs a "
                          "different scenario")


def _refuse_colliding_files(manifest: dict) -> None:
    """Each arm's plots and each scenario's copy are files named after them, with characters a
    file name cannot hold replaced by '_': two names that read alike that way (`a/s.yaml` and
    `a_s.yaml`) would write one file over the other, so they are refused."""
    from wargame.mc.report import safe_name

    for what, names in (("arm", [a["name"] for a in manifest["arms"]]),
                        ("scenario", list(dict.fromkeys(a["scenario"] or "saved" for a in manifest["arms"])))):
        seen: dict[str, str] = {}
        for name in names:
            same = seen.setdefault(safe_name(name), name)
            if same != name:
                flag = ("--compare-scenarios " + ",".join(manifest["scenarios"]) if manifest["compare_scenarios"]
                        else f"--compare {manifest['compare']['actor']}=" + ",".join(manifest["compare"]["policies"]))
                raise McError(f"{flag}: the {what}s {same!r} and {name!r} would write the same output files "
                              f"({safe_name(name)!r}: a file name cannot hold '/' and the like); rename or move one")


def manifest_key(manifest: dict) -> str:
    """What scenario loading depends on (the save file), hashable for caches."""
    return json.dumps([manifest.get("from_save"), manifest.get("from_save_sha256")])


def make_arms(manifest: dict) -> list[Arm]:
    cmp = manifest["compare"]
    policies = cmp["policies"] if cmp else [None]
    arms = []
    for sc in manifest["scenarios"]:
        for pol in policies:
            over = dict(manifest["seats"])
            parts = [sc] if manifest["compare_scenarios"] else []
            if pol is not None:
                over[cmp["actor"]] = pol
                parts.append(f"{cmp['actor']}={pol}")
            name = "/".join(parts) or (sc or "from-save")
            arms.append(Arm(name, sc, tuple(sorted(over.items()))))
    return arms


def arms_of(manifest: dict) -> list[Arm]:
    return [Arm(a["name"], a["scenario"], tuple(tuple(p) for p in a["overrides"])) for a in manifest["arms"]]


@functools.cache
def saved_session(key: str):
    from wargame.session import GameSession

    path, sha = json.loads(key)
    return GameSession.load(path)


@functools.cache
def arm_scenario(key: str, name: str):
    from wargame.scenario import load_scenario

    if name == "":
        return saved_session(key).scenario
    return load_scenario(name)


def _param_names(manifest: dict) -> list[str]:
    from wargame.sampling import sampled_names

    key = manifest_key(manifest)
    if manifest["from_save"]:
        return sorted(saved_session(key).param_draw or {})
    if not manifest["sample_params"]:
        return []
    return sorted({n for sc in manifest["scenarios"] for n in sampled_names(arm_scenario(key, sc))})


def _metric_types(manifest: dict) -> dict[str, str]:
    """Every metric of a turn's record, with its column type, from one probe turn per arm."""
    from wargame.runner import bot_seats, make_seats, play

    types: dict[str, str] = {}
    for arm in make_arms(manifest):
        session = new_session(manifest, arm, 0)
        policies = make_seats(session, bot_seats(session, dict(arm.overrides)))
        if not session.is_over:
            play(session, policies, 1)
        for k, v in session.timeline[-1].items():
            types.setdefault(k, "int" if k == "turn" else "string" if isinstance(v, str) else "float")
    return types


# --- one game --------------------------------------------------------------------------------------
@functools.cache
def lhs_quantiles(seed: int, runs: int, name: str) -> np.ndarray:
    """One quantile per run, exactly one in each of the N bins [k/N, (k+1)/N)."""
    from wargame.model import stream
    from wargame.sampling import name_key

    rng = stream(int(seed), LHS_KEY, name_key(name))
    perm = rng.permutation(runs)
    jitter = rng.random(runs)
    return (perm + jitter) / runs


def lhs_draw(scenario, seed: int, runs: int, run: int) -> dict[str, float]:
    from wargame.sampling import draw_at_quantiles, sampled_names

    return draw_at_quantiles(scenario, {n: lhs_quantiles(seed, runs, n)[run] for n in sampled_names(scenario)})


def new_session(manifest: dict, arm: Arm, run: int):
    """Run `run` of an arm, before any policy plays."""
    from wargame.session import GameSession

    seed = game_seed(manifest["seed"], run)
    key = manifest_key(manifest)
    if manifest["from_save"]:
        # the past is the saved game, exactly; the future's dice are keyed by the new seed
        session = copy.deepcopy(saved_session(key))
        session.reseed(seed)
        return session
    sc = arm_scenario(key, arm.scenario)
    if manifest["lhs"]:
        return GameSession(sc, seed, param_draw=lhs_draw(sc, manifest["seed"], manifest["runs"], run))
    return GameSession(sc, seed, sample_params=manifest["sample_params"])


def play_run(manifest: dict, arm: Arm, run: int):
    from wargame.runner import bot_seats, make_seats, play

    session = new_session(manifest, arm, run)
    play(session, make_seats(session, bot_seats(session, dict(arm.overrides))))
    return session


# --- chunks ----------------------------------------------------------------------------------------
def chunk_name(arm_index: int, chunk: int) -> str:
    return f"part-a{arm_index:03d}-c{chunk:06d}.parquet"


def chunk_runs(manifest: dict, chunk: int) -> range:
    """The runs one chunk plays (of every arm): chunk_size of them, fewer in the last."""
    size = manifest["chunk_size"]
    return range(chunk * size, min((chunk + 1) * size, manifest["runs"]))


def n_chunks(manifest: dict) -> int:
    return -(-manifest["runs"] // manifest["chunk_size"])


def _schemas(manifest: dict):
    import pyarrow as pa

    types = {"float": pa.float64(), "string": pa.string(), "int": pa.int64()}
    metrics = [pa.field(k, types[t]) for k, t in manifest["metric_types"].items()]
    head = [pa.field("arm", pa.string()), pa.field("arm_index", pa.int32()), pa.field("run", pa.int64()),
            pa.field("seed", pa.int64())]
    runs = pa.schema(head + [pa.field("scenario", pa.string()), pa.field("seats", pa.string())]
                     + [pa.field(f"param.{n}", pa.float64()) for n in manifest["param_names"]]
                     + [f for f in metrics if f.name not in ("arm", "run", "seed")])
    turns = pa.schema(head + [f for f in metrics if f.name not in ("arm", "run", "seed")])
    return runs, turns


def _write_atomic(table, path: Path) -> None:
    import pyarrow.parquet as pq

    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"  # a leading dot: ignored by pyarrow datasets
    pq.write_table(table, tmp)
    os.replace(tmp, path)


@functools.cache
def _manifest_from(out_dir: str) -> dict:
    return json.loads((Path(out_dir) / MANIFEST).read_text())


def _column(kind: str, values: list) -> list:
    """A Parquet column of one metric type: None stays null, every other value is cast to the type."""
    if kind == "float":
        return [None if v is None else float(v) for v in values]
    if kind == "int":
        return [None if v is None else int(v) for v in values]
    return [None if v is None else str(v) for v in values]


def run_chunk(task: tuple[str, int, int]) -> int:
    """Play one chunk of one arm and write its two Parquet files; returns the number of games.
    The tables are built column by column (one list per field), not row by row."""
    import pyarrow as pa

    out_dir, arm_index, chunk = task
    manifest = _manifest_from(out_dir)
    arm = arms_of(manifest)[arm_index]
    types = manifest["metric_types"]
    runs_schema, turns_schema = _schemas(manifest)
    turn_head: dict[str, list] = {"arm": [], "arm_index": [], "run": [], "seed": []}
    turn_values: dict[str, list] = {k: [] for k in types}
    finals: list[dict] = []
    run_cols: dict[str, list] = {"arm": [], "arm_index": [], "run": [], "seed": [], "scenario": [], "seats": []}
    run_cols.update({f"param.{n}": [] for n in manifest["param_names"]})
    for run in chunk_runs(manifest, chunk):
        session = play_run(manifest, arm, run)
        head = {"arm": arm.name, "arm_index": arm_index, "run": run, "seed": session.seed}
        timeline = session.timeline
        for name, v in head.items():
            turn_head[name] += [v] * len(timeline)
            run_cols[name].append(v)
        for k, col in turn_values.items():
            col += [rec.get(k) for rec in timeline]
        finals.append(timeline[-1] if timeline else {})
        run_cols["scenario"].append(session.scenario.name)
        run_cols["seats"].append(json.dumps(session.seats, sort_keys=True))
        draw = session.param_draw or {}
        for n in manifest["param_names"]:
            run_cols[f"param.{n}"].append(float(draw[n]) if n in draw else None)
    turn_cols = dict(turn_head)
    for k, t in types.items():  # a metric named like a head column (arm, run, seed) takes its place
        turn_cols[k] = _column(t, turn_values[k])
        run_cols[k] = _column(t, [f.get(k) for f in finals])
    name = chunk_name(arm_index, chunk)
    root = Path(out_dir)
    _write_atomic(pa.Table.from_pydict(turn_cols, schema=turns_schema), root / "turns" / name)
    _write_atomic(pa.Table.from_pydict(run_cols, schema=runs_schema), root / "runs" / name)  # the chunk is done
    return len(finals)


def _die_with_parent() -> None:
    """A pool worker ends when the experiment's process dies (even by SIGKILL), not later."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def missing_chunks(out: Path, manifest: dict) -> list[tuple[int, int]]:
    """The (arm, chunk) pairs whose `runs` file is missing: one directory listing, not a stat per chunk."""
    try:
        done = {e.name for e in os.scandir(out / "runs") if e.name.endswith(".parquet")}
    except FileNotFoundError:
        done = set()
    return [(a, c) for a, c in _all_chunks(manifest) if chunk_name(a, c) not in done]


def damaged_chunks(out: Path, manifest: dict) -> list[tuple[int, int, str]]:
    """The finished chunks (their `runs` file exists) whose files are not what run_chunk writes:
    not Parquet, another schema, (for `runs`) another number of rows, or rows of other runs, another
    arm or other seeds (_wrong_rows); with the reason. Files
    are written whole and renamed, so only a disk fault or a hand can make one; reading one back
    would otherwise stop the report with pyarrow's traceback."""
    import pyarrow.parquet as pq

    runs_schema, turns_schema = _schemas(manifest)
    bad = []
    for a, c in set(_all_chunks(manifest)) - set(missing_chunks(out, manifest)):
        name = chunk_name(a, c)
        for sub, schema in (("runs", runs_schema), ("turns", turns_schema)):
            try:
                meta = pq.read_metadata(out / sub / name)
            except FileNotFoundError:
                bad.append((a, c, f"no {sub} file"))
                break
            except Exception as exc:  # pyarrow's ArrowInvalid, OSError, ...: whatever it is, it is not our file
                bad.append((a, c, f"{sub} file unreadable: {str(exc).split('.')[0][:100]}"))
                break
            if not meta.schema.to_arrow_schema().equals(schema, check_metadata=False):
                bad.append((a, c, f"{sub} file has other columns"))
                break
            if sub == "runs" and meta.num_rows != len(chunk_runs(manifest, c)):
                bad.append((a, c, f"runs file has {meta.num_rows} rows"))
                break
            wrong = _wrong_rows(out / sub / name, meta, sub, manifest, a, c)
            if wrong:
                bad.append((a, c, wrong))
                break
    return sorted(bad)


def _stat_range(meta, name: str) -> tuple | None:
    """(min, max) of a column by the file's own statistics (its footer, already read), or None
    where a row group has none."""
    j = meta.schema.names.index(name)
    lo = hi = None
    for i in range(meta.num_row_groups):
        st = meta.row_group(i).column(j).statistics
        if st is None or not st.has_min_max:
            return None
        lo, hi = (st.min, st.max) if lo is None else (min(lo, st.min), max(hi, st.max))
    return None if lo is None else (lo, hi)


def _wrong_rows(path: Path, meta, sub: str, manifest: dict, arm_index: int, chunk: int) -> str | None:
    """Why a well-formed chunk file does not hold this chunk's runs (another chunk's file copied
    over it, rows of another seed), or None: the `runs` file one row per run in order, with its
    arm and game seed; the `turns` file every one of those runs, each with as many turns. Read
    off the footer's statistics (the range of runs, seeds and arms, and the row count) where the
    file has them, so a resume reads no data to check a chunk; else off the columns themselves."""
    import pyarrow.parquet as pq

    want = list(chunk_runs(manifest, chunk))
    ranges = [_stat_range(meta, c) for c in ("arm_index", "run", "seed")]
    if all(r is not None for r in ranges):
        arms, runs, seeds = ranges
        if arms != (arm_index, arm_index):
            return f"{sub} file holds another arm's rows"
        if runs != (want[0], want[-1]) or meta.num_rows % len(want):
            return f"{sub} file holds runs {runs[0]}..{runs[1]}, not {want[0]}..{want[-1]}"
        if seeds != (game_seed(manifest["seed"], want[0]), game_seed(manifest["seed"], want[-1])):
            return f"{sub} file holds other game seeds than the manifest's"
        return None
    try:
        table = pq.read_table(path, columns=["arm_index", "run", "seed"])
    except Exception as exc:  # as damaged_chunks: whatever it is, it is not our file
        return f"{sub} file unreadable: {str(exc).split('.')[0][:100]}"
    runs = table.column("run").to_pylist()
    if set(table.column("arm_index").to_pylist()) - {arm_index}:
        return f"{sub} file holds another arm's rows"
    if sub == "runs":
        if runs != want:
            return f"runs file holds runs {runs[:3]}..., not {want[0]}..{want[-1]}"
        if table.column("seed").to_pylist() != [game_seed(manifest["seed"], r) for r in want]:
            return "runs file holds other game seeds than the manifest's"
        return None
    counts = collections.Counter(runs)
    if sorted(counts) != want or len(set(counts.values())) > 1:
        return f"turns file does not hold runs {want[0]}..{want[-1]} with as many turns each"
    if table.column("seed").to_pylist() != [game_seed(manifest["seed"], r) for r in runs]:
        return "turns file holds other game seeds than the manifest's"
    return None


def _all_chunks(manifest: dict) -> list[tuple[int, int]]:
    return [(a, c) for a in range(len(manifest["arms"])) for c in range(n_chunks(manifest))]


def _run_chunk_measured(task: tuple[str, int, int]) -> tuple[int, int]:
    """run_chunk in a pool worker, with the worker's peak RSS so far (KiB)."""
    import resource

    n = run_chunk(task)
    return n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def execute(out: Path, manifest: dict, workers: int, executor: str = "local", scheduler: str | None = None,
            stats: dict | None = None) -> int:
    """Play every missing chunk; returns the number of games played. `stats`, if given, gets
    `worker_peak_rss_mb`: the largest peak RSS of a process that played (local executor only)."""
    for sub in ("runs", "turns"):
        (out / sub).mkdir(parents=True, exist_ok=True)
        for stale in (out / sub).glob(".*.tmp"):  # a killed writer's leftovers
            stale.unlink(missing_ok=True)
    for a, c, why in damaged_chunks(out, manifest):  # replayed below: the same seeds give the same rows
        for sub in ("runs", "turns"):
            (out / sub / chunk_name(a, c)).unlink(missing_ok=True)
        print(f"wargame: note: {chunk_name(a, c)} was damaged ({why}); playing its runs again", file=sys.stderr)
    todo = missing_chunks(out, manifest)
    total = sum(len(chunk_runs(manifest, c)) for _, c in todo)
    tasks = [(str(out), a, c) for a, c in todo]
    bar = _progress(total)
    try:
        if executor == "dask":
            if tasks:
                _execute_dask(tasks, workers, scheduler, bar)
        elif workers == 1 or len(tasks) <= 1:
            for t in tasks:
                n, peak = _run_chunk_measured(t)
                bar.update(n)
                if stats is not None:
                    stats["worker_peak_rss_mb"] = round(peak / 1024, 1)
        else:
            import pyarrow.parquet  # noqa: F401  (once, before forking: not again in every worker)

            with fork_pool(min(workers, len(tasks)), initializer=_die_with_parent) as pool:
                for n, peak in pool.imap_unordered(_run_chunk_measured, tasks, chunksize=1):
                    bar.update(n)
                    if stats is not None:
                        stats["worker_peak_rss_mb"] = max(stats.get("worker_peak_rss_mb", 0.0), round(peak / 1024, 1))
    finally:
        bar.close()
    return total


DASK_CONNECT_TIMEOUT_S = 5


def scheduler_problem(address: str) -> str | None:
    """Why dask could not even try `address` (checked before anything starts: a Client given such
    an address fails only after its clean-up has waited 10 s), or None."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, loc = parse_address(address)
        if scheme in ("tcp", "tls"):
            parse_host_port(loc)
    except ValueError as exc:
        return str(exc)
    return None


@contextlib.contextmanager
def _quiet_dask():
    """dask.distributed logs at WARNING and above on start-up and shutdown (closed streams, lost
    heartbeats, leaked semaphores): none of it is ours to report, so raise those loggers to CRITICAL
    for the lifetime of the cluster, the teardown included."""
    import logging
    import warnings

    names = ("distributed", "tornado", "asyncio")
    levels = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for n, level in levels.items():
            logging.getLogger(n).setLevel(level)


def _execute_dask(tasks: list, workers: int, scheduler: str | None, bar) -> None:
    """Map the chunks over a dask.distributed cluster: the one at `scheduler`, else a LocalCluster
    of `workers` single-threaded processes. Every worker writes its chunk files into the results
    directory itself (an absolute path: a remote cluster must see it under the same path)."""
    import logging

    import dask
    from dask.distributed import Client, LocalCluster, as_completed  # checked importable by the CLI

    tasks = [(str(Path(d).resolve()), a, c) for d, a, c in tasks]
    with _quiet_dask(), dask.config.set({"distributed.admin.tick.limit": "1h"}):  # no "event loop blocked" noise
        cluster = None
        try:
            if scheduler:
                try:
                    client = Client(scheduler, timeout=DASK_CONNECT_TIMEOUT_S, set_as_default=False)
                except (OSError, TimeoutError, ValueError) as exc:
                    from wargame.mc.tracking import brief

                    raise McError(f"--scheduler {scheduler}: cannot connect ({brief(exc) or type(exc).__name__})") from None
            else:
                cluster = LocalCluster(n_workers=min(workers, len(tasks)), threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=logging.CRITICAL)
                client = Client(cluster, set_as_default=False)
            with client:
                futures = client.map(run_chunk, tasks, pure=False)
                try:
                    for fut in as_completed(futures, loop=client.loop):
                        bar.update(fut.result())
                finally:
                    client.cancel(futures)
        finally:
            if cluster is not None:
                cluster.close()


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int):
    if not sys.stderr.isatty() or total == 0:
        return _NoBar()
    from tqdm import tqdm

    size = shutil.get_terminal_size((0, 0))  # a terminal that reports no size still gets a bar
    return tqdm(total=total, unit="game", file=sys.stderr, smoothing=0.1,
                ncols=size.columns if size.columns >= 40 else 100, nrows=size.lines if size.lines > 0 else 24)


# --- reading the results back ---------------------------------------------------------------------
def _canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def collect(out: Path, manifest: dict) -> dict:
    """Hash and final-turn arrays from the `runs` chunks, read one file at a time in run order.
    The final values are kept as one float array per metric and chunk (8 bytes a value, where a
    list of Python floats takes 32), joined at the end."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    metrics = list(manifest["metric_types"])
    h = hashlib.sha256()
    finals = []
    for a, arm in enumerate(manifest["arms"]):
        seen = []
        cols: dict[str, list[np.ndarray]] = {m: [] for m in CONTRACT_KEYS}
        seeds = []
        params: dict[str, list] = {n: [] for n in manifest["param_names"]}
        for c in range(n_chunks(manifest)):
            table = pq.read_table(out / "runs" / chunk_name(a, c))
            for row in table.to_pylist():
                seen.append(row["run"])
                seeds.append(row["seed"])
                h.update(_canonical({"arm": arm["name"], "run": row["run"], "seed": row["seed"],
                                     "final": {m: row[m] for m in metrics}}).encode())
                h.update(b"\n")
                for n in params:
                    params[n].append(row[f"param.{n}"])
            for m in CONTRACT_KEYS:  # a null (or a metric this experiment did not record) is NaN
                cols[m].append(table.column(m).cast(pa.float64()).to_numpy(zero_copy_only=False)
                               if m in table.column_names else np.full(table.num_rows, math.nan))
        if seen != list(range(manifest["runs"])):
            raise RuntimeError(f"{out}: arm {arm['name']} holds runs {seen[:5]}..., not 0..{manifest['runs'] - 1}")
        finals.append({"name": arm["name"], "seeds": seeds, "params": params,
                       "final": {m: np.concatenate(v) if v else np.array([], float) for m, v in cols.items()}})
    return {"results_hash": h.hexdigest(), "arms": finals}


def turn_quantiles(out: Path, manifest: dict, arm_index: int, metrics=TRACK_METRICS) -> dict:
    """p10/p50/p90 of `metrics` per turn, over the arm's runs. Exact percentiles need every run's
    value, so memory grows with the runs: one column is read at a time (8 bytes a turn a run:
    about 190 MB for a metric at the 1,000,000-run maximum), never the whole table."""
    import pyarrow.dataset as ds

    files = [str(out / "turns" / chunk_name(arm_index, c)) for c in range(n_chunks(manifest))]
    metrics = [m for m in metrics if m in manifest["metric_types"]]
    data = ds.dataset(files, format="parquet")
    turn = data.to_table(columns=["turn"]).column("turn").to_numpy()
    turns = sorted(np.unique(turn).tolist())
    order = np.argsort(turn, kind="stable")
    bounds = np.searchsorted(turn[order], turns + [turns[-1] + 1] if turns else [])
    del turn
    quarter = data.to_table(columns=["quarter"]).column("quarter")
    out_q: dict = {"turns": turns, "quarters": [quarter[int(order[bounds[i]])].as_py() for i in range(len(turns))]}
    del quarter
    for m in metrics:
        vals = data.to_table(columns=[m]).column(m).to_numpy(zero_copy_only=False).astype(float)[order]
        out_q[m] = {p: [_pct(vals[bounds[i]:bounds[i + 1]], p) for i in range(len(turns))] for p in ("p10", "p50", "p90")}
        del vals
    return out_q


def _pct(x: np.ndarray, p: str) -> float | None:
    x = x[np.isfinite(x)]
    return float(np.percentile(x, int(p[1:]))) if x.size else None


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def summarise(x: np.ndarray) -> dict:
    f = x[np.isfinite(x)]
    if not f.size:
        return {"mean": None, "p10": None, "p50": None, "p90": None}
    p10, p50, p90 = np.percentile(f, [10, 50, 90])
    return {"mean": _num(float(np.mean(f))), "p10": float(p10), "p50": float(p50), "p90": float(p90)}


def ci95(x: np.ndarray) -> list[float] | None:
    """The 95 % confidence interval of the mean of `x` (finite values, at least two), by Student's
    t: 1.96 would be 29 % too narrow at five runs and 3 % at forty."""
    from scipy.special import stdtrit  # loaded with mesa already: no import cost

    if x.size < 2:
        return None
    mean = float(np.mean(x))
    half = float(stdtrit(x.size - 1, 0.975)) * float(np.std(x, ddof=1)) / math.sqrt(x.size)
    return [mean - half, mean + half]


def paired_diff(base: np.ndarray, other: np.ndarray) -> dict:
    """Mean of paired differences (run i against run i) and its 95 % CI (Student's t)."""
    d = other - base
    d = d[np.isfinite(d)]
    if not d.size:
        return {"mean": None, "ci95": None}
    return {"mean": float(np.mean(d)), "ci95": ci95(d)}


def result_object(collected: dict, manifest: dict) -> dict:
    arms = []
    base = collected["arms"][0]["final"]
    for arm in collected["arms"]:
        arms.append({"name": arm["name"],
                     "summary": {m: summarise(arm["final"][m]) for m in CONTRACT_KEYS},
                     "diff_vs_first": {m: paired_diff(base[m], arm["final"][m]) for m in CONTRACT_KEYS}})
    return {"runs": manifest["runs"], "results_hash": collected["results_hash"],
            "summary": arms[0]["summary"], "arms": arms}


# --- manifest and directory -----------------------------------------------------------------------
def default_out_dir(kind: str = "mc") -> Path:
    """runs/<kind>/<UTC timestamp>, with a suffix if two experiments start in the same second."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = Path("runs") / kind / stamp
    out, k = base, 1
    while out.exists():
        k += 1
        out = base.with_name(f"{stamp}-{k}")
    return out


def write_json_atomic(path: Path, obj: dict) -> None:
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(obj, indent=1, sort_keys=True, allow_nan=False) + "\n")
    os.replace(tmp, path)


def read_manifest(out: Path) -> dict:
    path = out / MANIFEST
    if out.exists() and not out.is_dir():
        raise McError(f"--resume {out}: is a file, not an experiment's directory")
    if not out.is_dir():
        raise McError(f"--resume {out}: no such directory")
    if not path.is_file():
        raise McError(f"--resume {out}: no {MANIFEST} there (not an experiment directory)")
    try:
        manifest = json.loads(path.read_text())
    except RecursionError:
        raise McError(f"--resume {out}: unreadable {MANIFEST} (nested too deep)") from None
    except (ValueError, OSError) as exc:
        raise McError(f"--resume {out}: unreadable {MANIFEST} ({python_reason(exc)})") from None
    shape = manifest_problem(manifest, FORMAT, MAX_RUNS, MAX_SEED)
    if shape is not None:
        raise McError(f"--resume {out}: unreadable {MANIFEST} ({shape})")
    if manifest["from_save"]:
        if not os.path.isfile(manifest["from_save"]) or sha256_file(manifest["from_save"]) != manifest["from_save_sha256"]:
            raise McError(f"--resume {out}: the saved game {manifest['from_save']} is missing or has changed since the experiment began")
    arm_scenario.cache_clear()  # read the scenarios as they are now, not as this process first loaded them
    changed = resume_problem(manifest)
    if changed:
        raise McError(f"--resume {out}: {changed}; the runs still to play would not match those played, so it "
                      "cannot continue: restore it, or start a new experiment")
    edited = edit_problem(manifest)
    if edited is None and manifest.get("digest") not in (None, definition_digest(manifest)):  # None: an older manifest
        edited = "what it defines (runs, seed, arms, sampling, ...) no longer matches its digest"
    if edited:
        raise McError(f"--resume {out}: {MANIFEST} was edited: {edited}; restore it, or start a new experiment")
    return manifest


def edit_problem(manifest: dict) -> str | None:
    """What in a well-formed manifest does not follow from its own arguments, as mc derived it:
    the arms from the scenarios, seats and comparison (each seat's policy still valid), the
    sampled parameters and the column types (from a probe turn). None if all agree."""
    from policies.registry import policy_problem

    arms = [{"name": a.name, "scenario": a.scenario, "overrides": [list(p) for p in a.overrides]}
            for a in make_arms(manifest)]
    if arms != manifest["arms"]:
        return "its arms do not follow from its scenarios, seats and --compare"
    key = manifest_key(manifest)
    for arm in arms:
        actors = arm_scenario(key, arm["scenario"]).actors
        for actor, policy in arm["overrides"]:
            problem = (f"unknown actor {actor!r}" if actor not in actors else policy_problem(policy, actor))
            if problem:
                return f"seat {actor}={policy}: {problem}"
    if manifest["param_names"] != _param_names(manifest):
        return "param_names are not the scenario's sampled parameters"
    if manifest["metric_types"] != _metric_types(manifest):
        return "metric_types are not the columns a turn records"
    return None


def resume_problem(manifest: dict) -> str | None:
    """What changed since the experiment began that would make its remaining runs play another
    game than its first ones (the model version, a scenario), or None. Manifests from before these
    were recorded are not checked."""
    from wargame import MODEL_VERSION
    from wargame.scenario import ScenarioError

    made_with = manifest.get("model_version")
    if made_with is not None and made_with != MODEL_VERSION:
        return f"it was started with model version {made_with!r} and this program is {MODEL_VERSION!r}"
    key = manifest_key(manifest)
    for sc, sha in (manifest.get("scenario_sha256") or {}).items():
        try:
            now = scenario_sha256(key, sc)
        except (ScenarioError, OSError) as exc:
            from wargame.mc.tracking import brief

            return (f"scenario {sc} no longer loads ({brief(exc) or type(exc).__name__}; resume from the directory the "
                    "experiment was started in)")
        if now != sha:
            return f"scenario {sc} has changed since the experiment began"
    return None


def contradictions(manifest: dict, given: dict) -> list[str]:
    """Flags given with --resume that say something else than the manifest."""
    out = []
    if given.get("runs") is not None and given["runs"] != manifest["runs"]:
        out.append(f"--runs {given['runs']} (the experiment has {manifest['runs']})")
    if given.get("seed") is not None and given["seed"] != manifest["seed"]:
        out.append(f"--seed {given['seed']} (the experiment has {manifest['seed']})")
    if given.get("chunk_size") is not None and given["chunk_size"] != manifest["chunk_size"]:
        out.append(f"--chunk-size {given['chunk_size']} (the experiment has {manifest['chunk_size']})")
    from policies.registry import canonical_policy

    if given.get("seat"):
        seats = manifest["seats"]
        if {a: canonical_policy(p) for a, p in _parse_seat_pairs(given["seat"]).items()} != \
                {a: canonical_policy(p) for a, p in seats.items()}:
            had = " ".join(f"--seat {a}={p}" for a, p in seats.items()) or "no --seat"
            out.append(f"--seat {' '.join(given['seat'])} (the experiment has {had})")
    if given.get("compare") is not None:
        cmp = _parse_compare(given["compare"])
        mine = manifest["compare"]
        if mine is None or mine["actor"] != cmp[0] or list(map(canonical_policy, mine["policies"])) != list(map(canonical_policy, cmp[1])):
            out.append(f"--compare {given['compare']}" + (f" (the experiment has --compare {mine['actor']}="
                                                          f"{','.join(mine['policies'])})" if mine else ""))
    if given.get("compare_scenarios") is not None:
        if not manifest["compare_scenarios"] or _parse_list("--compare-scenarios", given["compare_scenarios"]) != manifest["scenarios"]:
            out.append(f"--compare-scenarios {given['compare_scenarios']}")
    if given.get("scenario") is not None and (manifest["compare_scenarios"] or manifest["scenarios"] != [given["scenario"]]):
        out.append(f"--scenario {given['scenario']}")
    for flag in ("sample_params", "lhs"):
        if given.get(flag) and not manifest[flag]:
            out.append(f"--{flag.replace('_', '-')}")
    if given.get("from_save") is not None and (not manifest["from_save"] or os.path.abspath(given["from_save"]) != manifest["from_save"]):
        out.append(f"--from-save {given['from_save']}")
    return out


def run_experiment(out: Path, manifest: dict, workers: int, executor: str = "local", scheduler: str | None = None) -> dict:
    """Play what is missing, then read everything back: the result object (without tracking)."""
    t0 = time.perf_counter()
    stats: dict = {}
    played = execute(out, manifest, workers, executor, scheduler, stats)
    play_s = time.perf_counter() - t0
    collected = collect(out, manifest)
    result = result_object(collected, manifest)
    result["games_played"] = played
    result["play_s"] = play_s
    result["worker_peak_rss_mb"] = stats.get("worker_peak_rss_mb")
    result["_collected"] = collected
    return result
