"""The `wargame` command: list and validate scenarios, play headless games, save and resume.

Bad input exits with status 2 and one line per problem (file, field, what is allowed), never
a traceback. SIGINT and SIGTERM end the program with one line and status 130 or 143, after any
save in progress has removed its temporary file. A headless run imports neither pygame nor mlflow.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import signal
import sys

from wargame import limits
from wargame.integrity import ResolutionError
from wargame.safe_write import target_problem
from wargame.savefile import SaveError
from wargame.scenario import ScenarioError, builtin_names, load_scenario, scenario_identity

TOP_LEVEL_FLAGS = ("--max-file-mb",)  # given before the command too: its errors do not name one
TABLE = (
    ("quarter", "quarter", "{}"),
    ("US stock M", "us_compute_stock_h100e", "{:.2f}", 1e-6),
    ("CN stock M", "china_compute_stock_h100e", "{:.2f}", 1e-6),
    ("US:CN out", "us_china_output_ratio", "{:.1f}"),
    ("self-suff", "china_self_sufficiency", "{:.2f}"),
    ("unmet k", "china_unmet_demand_h100e", "{:.0f}", 1e-3),
    ("Ascend k", "huawei_output_chips", "{:.0f}", 1e-3),
    ("smuggled k", "smuggled_h100e", "{:.1f}", 1e-3),
    ("seized k", "seized_h100e", "{:.1f}", 1e-3),
    ("NV rev $B", "nvidia_revenue_usd_b", "{:.1f}"),
    ("NV CN $B", "nvidia_china_revenue_usd_b", "{:.2f}"),
    ("SMIC kwpm", "smic_advanced_capacity_wpm", "{:.1f}", 1e-3),
    ("yield", "smic_yield", "{:.2f}"),
    ("hawk", "us_hawkishness", "{:.2f}"),
)


class UsageError(Exception):
    pass


class Interrupted(BaseException):
    """Raised by the SIGINT/SIGTERM handler, like KeyboardInterrupt, so that `finally` and
    `except BaseException` clean-ups (a save's temporary file) run before the program ends."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _os_problem(exc: OSError) -> str:
    """An operating-system refusal (a name too long, no permission, a full disk) as one line,
    naming the file, a long name shortened."""
    name = "" if exc.filename is None else str(exc.filename)
    if len(name) > 80:
        name = f"{name[:60]}...{name[-12:]}"
    what = exc.strerror or str(exc) or type(exc).__name__
    return f"{name}: {what}" if name else what


def _printable(text: str) -> str:
    """A message as one line: a newline or other control character (in a file name, say) is
    written escaped, so it cannot start what looks like a line of its own."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _fail(lines: list[str]) -> int:
    for line in lines:
        print(f"wargame: {_printable(line)}", file=sys.stderr)
    return 2


def _cell(spec: tuple, record: dict) -> str:
    value = record[spec[1]]
    if len(spec) > 3:
        value *= spec[3]
    return spec[2].format(value)


def format_table(records: list[dict]) -> str:
    rows = [[s[0] for s in TABLE]] + [[_cell(s, r) for s in TABLE] for r in records]
    widths = [max(len(row[i]) for row in rows) for i in range(len(TABLE))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _parse_seats(pairs: list[str], actors: tuple[str, ...]) -> dict[str, str]:
    from policies.registry import policy_problem

    seats = {}
    for pair in pairs:
        actor, sep, policy = pair.partition("=")
        if not sep:
            raise UsageError(f"--seat {pair!r}: expected ACTOR=POLICY, e.g. us=random")
        if actor not in actors:
            raise UsageError(f"--seat {pair!r}: unknown actor {actor!r}; actors: {', '.join(actors)}")
        problem = policy_problem(policy, actor)
        if problem:
            raise UsageError(f"--seat {pair!r}: {problem}")
        if actor in seats:
            raise UsageError(f"--seat {actor}={seats[actor]} and --seat {pair}: the {actor} seat is given twice; give it once")
        seats[actor] = policy
    return seats


def cmd_scenarios(args: argparse.Namespace) -> int:
    for name in builtin_names():
        sc = load_scenario(name)
        print(f"{name:24s} {sc.start_quarter} +{sc.turns:<3d} {sc.title}")
    return 0


def _not_empty(flag: str, value: str | None) -> None:
    if value is not None and not value.strip():
        raise UsageError(f"{flag}: empty {'path' if flag != '--scenario' else 'name'}; give a file"
                         + (" or a built-in name" if flag == "--scenario" else ""))


def _file_identity(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def cmd_validate(args: argparse.Namespace) -> int:
    _not_empty("validate PATH", args.path)
    sc = load_scenario(args.path)
    print(f"{args.path}: ok ({sc.name}: {sc.turns} turns from {sc.start_quarter}, {len(sc.actors)} actors, "
          f"{len(sc.parameters)} parameters, {len(sc.events)} events)")
    return 0


def _check_load_and_seed(args) -> None:
    """--load brings its own scenario and seed (`run` and `play` alike); a seed is non-negative."""
    if args.load and (args.scenario or args.seed is not None):
        raise UsageError("--load continues a saved game with its own scenario and seed; drop --scenario/--seed")
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed {args.seed}: must be a non-negative integer")


def _is_the_scenario(save: str, scenario: str | None) -> str | None:
    """A save over the scenario file it plays would destroy the scenario (a JSON save in its place)."""
    if scenario is None or not os.path.isfile(save):
        return None
    try:
        same = os.path.samefile(save, scenario_identity(scenario))
    except (ScenarioError, OSError):
        return None  # an unknown scenario is refused below, in its own words
    return "is the scenario file itself (--scenario); saving would replace it: give the save another name" if same else None


def cmd_run(args: argparse.Namespace) -> int:
    from wargame.runner import make_seats
    from wargame.session import GameSession

    for flag in ("save", "load", "scenario"):
        _not_empty(f"--{flag}", getattr(args, flag))
    if args.save is not None:
        args.save_before = _file_identity(args.save)  # what an interrupt's message compares with
        problem = target_problem(args.save, args.force) or _is_the_scenario(args.save, args.scenario)
        if problem:
            raise UsageError(f"--save {args.save}: {problem}")
    _check_load_and_seed(args)
    if args.turns is not None and args.turns < 1:
        raise UsageError(f"--turns {args.turns}: must be at least 1")
    if args.load and args.sample_params:
        raise UsageError("--sample-params: a saved game carries its own parameter draw; drop --sample-params with --load")
    if args.load:
        session = GameSession.load(args.load)
    else:
        session = GameSession(load_scenario(args.scenario or "baseline"), 0 if args.seed is None else args.seed,
                              sample_params=args.sample_params)
    overrides = _parse_seats(args.seat, session.actors)
    humans = [a for a in session.actors if session.seats[a] == "human" and a not in overrides]
    if humans:
        raise UsageError(f"--load {args.load}: {', '.join(humans)} {'is a human seat' if len(humans) == 1 else 'are human seats'}; "
                         f"continue it in `wargame play --load {args.load}`, or give a bot with --seat {humans[0]}=doctrine")
    from wargame.injects import InjectError, Schedule, parse_inject_flag, play_with_injects

    try:
        plays = [parse_inject_flag(flag, session.scenario) for flag in args.inject]
        schedule = Schedule.for_session(session, plays)
    except InjectError as exc:
        raise UsageError(str(exc)) from None
    policies = make_seats(session, overrides)
    try:
        play_with_injects(session, policies, schedule, args.turns)
    except InjectError as exc:
        raise UsageError(str(exc)) from None
    if args.save:
        try:
            session.save(args.save, force=args.force)
        except SaveError as exc:
            raise UsageError(f"--save {exc.problems[0]}; any earlier file there is unchanged") from None
        except OSError as exc:
            raise UsageError(f"--save {args.save}: cannot write ({exc.strerror or exc}); any earlier file there is unchanged") from None
        too_big = limits.over_limit(os.path.getsize(args.save))
        if too_big:  # saved whole, but a plain --load would refuse it: say so now, not then
            print(_printable(f"wargame: warning: --save {args.save}: the save is {too_big} for reading files; "
                           "load it with a larger --max-file-mb"), file=sys.stderr)
    tracked = None
    if args.track:  # before the output, so that --json can say where it went
        from wargame.mc.command import track_run

        tracked = track_run(session)
    if args.json:
        out = {
            "scenario": session.scenario.name,
            "seed": session.seed,
            "turns_played": session.world.turn,
            "state_hash": session.state_hash(),
            "actors": list(session.actors),
            "seats": session.seats,
            "param_draw": session.param_draw,
            "final": session.timeline[-1] if session.timeline else {},
            "timeline": session.timeline,
        }
        if args.track:
            out["mlflow_run_id"] = tracked[0] if tracked else None
        print(json.dumps(out, sort_keys=True, allow_nan=False))
    else:
        print(f"{session.scenario.title} | seed {session.seed} | {session.world.turn} of {session.scenario.turns} turns")
        if session.param_draw is not None:
            print("parameters drawn: " + (", ".join(f"{k}={v:.4g}" for k, v in session.param_draw.items()) or "none have a distribution"))
        print(format_table(session.timeline))
        print(f"state hash {session.state_hash()}")
        if args.save:
            print(f"saved to {args.save}")
    if tracked:
        print(f"MLflow run {tracked[0]} in {tracked[1]}", file=sys.stderr if args.json else sys.stdout)
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from wargame.calibration import calibrate, format_calibration

    if args.seeds < 1:
        raise UsageError(f"--seeds {args.seeds}: must be at least 1")
    if args.seeds > limits.MAX_RUNS:
        raise UsageError(f"--seeds {args.seeds}: at most {limits.MAX_RUNS:,}")
    result = calibrate(args.seeds, sample_params=args.sample_params)
    print(json.dumps(result, sort_keys=True, allow_nan=False) if args.json else format_calibration(result))
    return 0


def cmd_effects(args: argparse.Namespace) -> int:
    from wargame.effects import effects, format_effects

    if args.seeds < 2:
        raise UsageError(f"--seeds {args.seeds}: must be at least 2 (effects pair seeds and bootstrap over them)")
    if args.seeds > limits.MAX_RUNS:
        raise UsageError(f"--seeds {args.seeds}: at most {limits.MAX_RUNS:,}")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers {args.workers}: must be at least 1")
    result = effects(args.seeds, sample_params=args.sample_params, workers=args.workers)
    print(json.dumps(result, sort_keys=True, allow_nan=False) if args.json else format_effects(result, args.sample_params))
    return 0


def cmd_mc(args: argparse.Namespace) -> int:
    from wargame.mc.command import run_mc
    from wargame.mc.experiment import McError

    try:
        return run_mc(args)
    except McError as exc:
        raise UsageError(str(exc)) from None


def _parse_size(text: str) -> tuple[int, int]:
    w, sep, h = text.lower().partition("x")
    if not sep or not w.isdigit() or not h.isdigit():
        raise UsageError(f"--size {text!r}: expected WIDTHxHEIGHT in pixels, e.g. 1280x800")
    size = (int(w), int(h))
    if size[0] < 1024 or size[1] < 640 or size[0] > 7680 or size[1] > 4320:
        raise UsageError(f"--size {text}: must be from 1024x640 up to 7680x4320")
    return size


def cmd_play(args: argparse.Namespace) -> int:
    """Every problem with the command line is found here, before a window opens."""
    from pathlib import Path

    for flag in ("load", "scenario", "screenshot_dir"):
        _not_empty(f"--{flag.replace('_', '-')}", getattr(args, flag))
    _check_load_and_seed(args)
    if args.exit_after_turns is not None and args.exit_after_turns < 1:
        raise UsageError(f"--exit-after-turns {args.exit_after_turns}: must be at least 1")
    if args.pace is not None and not (math.isfinite(args.pace) and 0 <= args.pace <= 60):
        raise UsageError(f"--pace {args.pace}: must be from 0 to 60 seconds")
    if args.demo and args.human:
        raise UsageError("--demo plays every seat with a bot; drop --human (or drop --demo)")
    size = _parse_size(args.size)
    shots = Path(args.screenshot_dir) if args.screenshot_dir else None
    if shots is not None and shots.exists() and not shots.is_dir():
        raise UsageError(f"--screenshot-dir {shots}: exists and is not a directory")
    from wargame.session import GameSession

    loaded = GameSession.load(args.load) if args.load else None
    scenario = loaded.scenario if loaded is not None else load_scenario(args.scenario or "baseline")
    seats = _parse_seats(args.seat, scenario.actors)
    for i, actor in enumerate(args.human):
        if actor in args.human[:i]:
            raise UsageError(f"--human {actor}: given twice; give each seat once")
        if actor not in scenario.actors:
            raise UsageError(f"--human {actor!r}: unknown actor; actors: {', '.join(scenario.actors)}")
        if actor in seats:
            raise UsageError(f"--human {actor} and --seat {actor}={seats[actor]}: give the seat one player")
    session = loaded
    if loaded is not None:
        demo = {a: "doctrine" for a in loaded.actors if loaded.seats[a] == "human"} if args.demo else {}
        for actor, policy in {**demo, **seats}.items():
            loaded.set_seat(actor, policy)  # logged: the audit trail shows who played from when
    elif args.scenario or args.human or args.seat or args.demo or args.seed is not None:
        session = GameSession(scenario, args.seed or 0, seats)
    try:
        from ui.app import PlayConfig, run_play
    except ImportError as exc:
        raise UsageError(f"the table needs pygame-ce and pygame_gui ({exc}); install them with: pip install -e '.[ui]'") from None
    if shots is not None:  # checked now, not at the first screenshot mid-game
        from wargame.safe_write import folder_problem

        problem = folder_problem(shots)
        if problem:
            raise UsageError(f"--screenshot-dir {shots}: {problem}")
    config = PlayConfig(scenario=args.scenario, humans=list(args.human), seats=seats, seed=args.seed or 0,
                        load=Path(args.load) if args.load else None, facilitator=args.facilitator, demo=args.demo, size=size,
                        screenshot_dir=shots, exit_after_turns=args.exit_after_turns, pace=args.pace)
    status, app = run_play(config, session)
    if app.exit_message:
        print(app.exit_message)
    if app.exit_error:
        print(f"wargame: {_printable(app.exit_error)}", file=sys.stderr)
    return status


def cmd_policies(args: argparse.Namespace) -> int:
    from policies.registry import describe_policies
    from wargame.ids import KNOWN_TIER2, actor_label, initiative_order

    table = describe_policies(initiative_order(KNOWN_TIER2))
    if args.json:
        print(json.dumps(table, sort_keys=True))
        return 0
    for actor, policies in table.items():
        print(f"{actor} ({actor_label(actor)})")
        width = max(len(p["name"]) for p in policies)
        for p in policies:
            print(f"  {p['name']:{width}s}  {p['description']}")
    return 0


def cmd_tournament(args: argparse.Namespace) -> int:
    from wargame.tournament import TournamentError, format_tournament, run_tournament

    _not_empty("--scenario", args.scenario)
    try:
        result = run_tournament(args.scenario, args.runs, args.seat,
                                args.workers if args.workers is not None else (os.cpu_count() or 1))
    except TournamentError as exc:
        raise UsageError(str(exc)) from None
    print(json.dumps(result, sort_keys=True, allow_nan=False) if args.json else format_tournament(result))
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    from pathlib import Path

    from wargame.brief import BriefError, run_brief

    for flag in ("scenario", "out"):
        _not_empty(f"--{flag}", getattr(args, flag))
    try:
        paths = run_brief(args.scenario, args.role, Path(args.out) if args.out else None, args.format)
    except BriefError as exc:
        raise UsageError(str(exc)) from None
    print(f"{len(paths) - 1} briefing{'s' if len(paths) != 2 else ''} and an index written to {paths[-1].parent}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from wargame.report import ReportError, run_report

    _not_empty("--out", args.out)
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers {args.workers}: must be at least 1")
    try:
        path = run_report(args.save_file, args.futures, Path(args.out) if args.out else None, args.format,
                          args.workers or (os.cpu_count() or 1), track=not args.no_track)
    except ReportError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        if exc.filename is not None:
            raise
        where = args.out or f"runs/reports/{Path(args.save_file).stem}"  # a write that names no file: a full disk, a quota
        raise UsageError(f"--out {where}: cannot write the report ({exc.strerror or exc}); the save is unchanged") from None
    print(f"report written to {path}")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from wargame.sensitivity import SensitivityError, run_sensitivity

    try:
        return run_sensitivity(args)
    except SensitivityError as exc:
        raise UsageError(str(exc)) from None


class ArgumentError(UsageError):
    """argparse found a bad or unknown flag: one line naming the command and the flag."""


def _help_hint(prog: str) -> str:
    return f"(see: {prog} --help)"


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad flag is one line (`wargame: mc --runs: invalid int value: 'abc' (see:
    wargame mc --help)`) and exit status 2 instead of the usage block; every subparser is one too."""

    def error(self, message: str):
        message = re.sub(r"^argument ([^:]+): ", lambda m: m.group(1).split("/")[0] + ": ", message)
        if self.prog == "wargame" and message.startswith("the following arguments are required: command"):
            commands = next(a.choices for a in self._actions if isinstance(a, argparse._SubParsersAction))
            message = f"give a command: {', '.join(commands)}"
        raise ArgumentError(_one_line(self.prog, message))


def _one_line(prog: str, message: str) -> str:
    """`mc --runs: ...` or `mc: ...` (nothing before a top-level message), and where the help is."""
    command = prog.split(" ", 1)[1] if " " in prog else ""
    sep = " " if message.startswith("-") else ": "
    return f"{command + sep if command else ''}{message} {_help_hint(prog)}"


def _with_command(exc: UsageError, args: argparse.Namespace) -> str:
    """A subcommand's problem with one of its flags names the subcommand, as argparse's do
    (`mc --runs 0: must be at least 1`, like `mc --runs: invalid int value: 'abc'`)."""
    message, command = str(exc), getattr(args, "command", None)
    if isinstance(exc, ArgumentError) or not command or not message.startswith("-") or message.startswith(TOP_LEVEL_FLAGS):
        return message
    return f"{command} {message}"


def _unknown_args(parser: argparse.ArgumentParser, args: argparse.Namespace, extra: list[str]) -> ArgumentError:
    """Arguments nobody took, reported as the subcommand's (its prog and help), not the top level's."""
    command = getattr(args, "command", None)
    prog = f"{parser.prog} {command}" if command else parser.prog
    flag = any(a.startswith("-") for a in extra)
    plural = "s" if len(extra) > 1 else ""
    what = f"unknown flag{plural} {' '.join(extra)}" if flag else f"unexpected argument{plural} {' '.join(extra)}"
    return ArgumentError(_one_line(prog, what))


def build_parser() -> argparse.ArgumentParser:
    ap = OneLineParser(prog="wargame", description="Chip-war wargame: the US-China contest over AI chips.")
    limit_help = (f"refuse scenario and save files larger than MB megabytes "
                  f"(default {limits.DEFAULT_MAX_FILE_BYTES / 2**20:g})")
    ap.add_argument("--max-file-mb", metavar="MB", help=limit_help)
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("scenarios", help="list the built-in scenarios").set_defaults(func=cmd_scenarios)
    v = sub.add_parser("validate", help="check a scenario file")
    v.add_argument("path")
    v.add_argument("--max-file-mb", metavar="MB", default=argparse.SUPPRESS, help=limit_help)
    v.set_defaults(func=cmd_validate)
    r = sub.add_parser("run", help="play one headless game")
    r.add_argument("--scenario", help="built-in name or path to a YAML file (default: baseline)")
    r.add_argument("--seed", type=int, help="random seed (default 0)")
    r.add_argument("--turns", type=int, help="turns to play (default: to the scenario's end)")
    r.add_argument("--seat", action="append", default=[], metavar="ACTOR=POLICY", help="who plays a seat: default, idle, random, lookahead or a named doctrine (wargame policies)")
    r.add_argument("--save", metavar="FILE", help="save the game as JSON when done")
    r.add_argument("--load", metavar="FILE", help="continue a saved game (verified by replaying its move log)")
    r.add_argument("--force", action="store_true",
                   help="let --save replace a symlink (the link, not its target), a FIFO or a read-only file")
    r.add_argument("--max-file-mb", metavar="MB", default=argparse.SUPPRESS, help=limit_help)
    r.add_argument("--sample-params", action="store_true", help="draw every parameter that has a distribution from the seed")
    r.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    r.add_argument("--inject", action="append", default=[], metavar="TURN:ID",
                   help="play an inject card at the start of quarter TURN (repeatable; ids: the scenario's `injects`)")
    r.add_argument("--track", action="store_true", help="log the game to MLflow (per-turn metrics, the save as an artifact)")
    r.set_defaults(func=cmd_run)
    c = sub.add_parser("calibrate", help="compare the historical scenario with the public record")
    c.add_argument("--seeds", type=int, default=32, help="seeds to run (default 32)")
    c.add_argument("--sample-params", action="store_true", help="each seed's game draws its own parameters from that seed")
    c.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    c.set_defaults(func=cmd_calibrate)
    e = sub.add_parser("effects", help="what each hypothetical scenario and each seat's decisions change (paired seeds)")
    e.add_argument("--seeds", type=int, default=16, help="paired seeds per comparison, at least 2 (default 16)")
    e.add_argument("--sample-params", action="store_true", help="each seed's games draw their parameters from that seed")
    e.add_argument("--workers", type=int, help="worker processes (default: one per CPU)")
    e.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    e.set_defaults(func=cmd_effects)
    m = sub.add_parser("mc", help="Monte Carlo: many games in parallel, Parquet results, MLflow tracking")
    m.add_argument("--scenario", help="built-in name or path to a YAML file (default: baseline)")
    m.add_argument("--runs", type=int, help="games per arm (default 100, at most 1,000,000: run i plays game seed "
                                            "SEED*1000003+i, so more would replay the next --seed's games)")
    m.add_argument("--seed", type=int, help="experiment seed; run i plays game seed SEED*1000003+i (default 0)")
    m.add_argument("--workers", type=int, help="worker processes (default: one per CPU)")
    m.add_argument("--seat", action="append", default=[], metavar="ACTOR=POLICY", help="who plays a seat in every arm")
    m.add_argument("--compare", metavar="ACTOR=P1,P2,...", action="append",
                   help="one arm per policy of that seat, at least two (same seeds and draws); give it once")
    m.add_argument("--compare-scenarios", metavar="S1,S2,...", action="append",
                   help="one arm per scenario, at least two (same seeds and draws); give it once")
    m.add_argument("--sample-params", action="store_true", help="each run draws its parameters from the distributions")
    m.add_argument("--lhs", action="store_true", help="with --sample-params: a Latin hypercube across the runs")
    m.add_argument("--from-save", metavar="FILE", help="every run continues this saved game with its own future dice")
    m.add_argument("--out", metavar="DIR", help="results directory (default runs/mc/<UTC timestamp>)")
    m.add_argument("--resume", metavar="DIR", help="finish a killed experiment: play only its missing chunks")
    m.add_argument("--no-track", action="store_true",
                   help="do not log to MLflow; the experiment remembers it: a later --resume DIR does not log either")
    m.add_argument("--track", action="store_true",
                   help="with --resume: log to MLflow although the experiment was started with --no-track "
                        "(a plain --resume tracks as the experiment was started; --resume DIR --no-track never logs)")
    m.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    m.add_argument("--executor", choices=("local", "dask"), default="local", help="local forked processes (default) or dask")
    m.add_argument("--scheduler", metavar="ADDR", help="dask scheduler address (with --executor dask)")
    m.add_argument("--chunk-size", type=int, help=argparse.SUPPRESS)
    m.add_argument("--max-file-mb", metavar="MB", default=argparse.SUPPRESS, help=limit_help)
    m.set_defaults(func=cmd_mc)
    po = sub.add_parser("policies", help="the policies each seat may have, with a one-line description")
    po.add_argument("--json", action="store_true", help="print {actor: [{name, description}]}")
    po.set_defaults(func=cmd_policies)
    to = sub.add_parser("tournament", help="every combination of the listed policies over the same seeds: scores and outcomes")
    to.add_argument("--scenario", help="built-in name or path to a YAML file (default: baseline)")
    to.add_argument("--runs", type=int, help="games per combination, at least 2 (default 20)")
    to.add_argument("--seat", action="append", default=[], metavar="ACTOR=P1,P2,...", help="the policies to try in a seat (repeatable)")
    to.add_argument("--workers", type=int, help="worker processes (default: one per CPU)")
    to.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    to.add_argument("--max-file-mb", metavar="MB", default=argparse.SUPPRESS, help=limit_help)
    to.set_defaults(func=cmd_tournament)
    br = sub.add_parser("brief", help="briefing packets per role: situation, objectives, orders, what the seat sees, rules")
    br.add_argument("--scenario", help="built-in name or path to a YAML file (default: baseline)")
    br.add_argument("--role", metavar="ACTOR|all", help="one seat, or all (default all)")
    br.add_argument("--out", metavar="DIR", help="where to write them (default runs/briefs/<scenario>)")
    br.add_argument("--format", default="md", help="md (default) or html (self-contained: inline CSS and images)")
    br.add_argument("--max-file-mb", metavar="MB", default=argparse.SUPPRESS, help=limit_help)
    br.set_defaults(func=cmd_brief)
    rp = sub.add_parser("report", help="after-action report of a saved game: timeline, turning points, its possible futures")
    rp.add_argument("save_file", metavar="SAVE_FILE")
    rp.add_argument("--futures", type=int, help="bot games per comparison, at least 2 (default 50)")
    rp.add_argument("--out", metavar="DIR", help="where to write it (default runs/reports/<save name>)")
    rp.add_argument("--format", choices=("md", "html"), default="md", help="Markdown (default) or self-contained HTML")
    rp.add_argument("--workers", type=int, help="worker processes for the futures (default: one per CPU)")
    rp.add_argument("--no-track", action="store_true", help="do not log the futures to MLflow")
    rp.add_argument("--max-file-mb", metavar="MB", default=argparse.SUPPRESS, help=limit_help)
    rp.set_defaults(func=cmd_report)
    pl = sub.add_parser("play", help="the pygame table: humans take seats, bots play the rest")
    pl.add_argument("--scenario", help="built-in name or path to a YAML file (default: the setup screen's choice)")
    pl.add_argument("--human", action="append", default=[], metavar="ACTOR", help="a person plays this seat (repeatable: hot-seat)")
    pl.add_argument("--seat", action="append", default=[], metavar="ACTOR=POLICY", help="a bot seat's policy (see wargame policies)")
    pl.add_argument("--seed", type=int, help="random seed (default 0)")
    pl.add_argument("--load", metavar="FILE", help="continue a saved game (verified by replaying its move log)")
    pl.add_argument("--facilitator", action="store_true", help="god's-eye view, pause and resume, injects")
    pl.add_argument("--demo", action="store_true", help="every seat a bot; quarters advance by themselves")
    pl.add_argument("--size", default="1280x800", metavar="WxH", help="window size in pixels (default 1280x800)")
    pl.add_argument("--screenshot-dir", metavar="DIR", help="write a PNG of each screen shown (one per quarter and screen type)")
    pl.add_argument("--exit-after-turns", type=int, metavar="N", help="quit cleanly after N quarters, or at the game's end if sooner")
    pl.add_argument("--pace", type=float, metavar="SECONDS", help="pause between quarters when bots play on (default 1.5 in a demo, else 0)")
    pl.add_argument("--max-file-mb", metavar="MB", default=argparse.SUPPRESS, help=limit_help)
    pl.set_defaults(func=cmd_play)
    sa = sub.add_parser("sensitivity", help="global sensitivity of outcomes to the uncertain parameters (SALib)")
    sa.add_argument("--scenario", help="built-in name or path to a YAML file (default: baseline)")
    sa.add_argument("--method", choices=("sobol", "morris"), default="sobol", help="Sobol total-order indices (default) or Morris mu*")
    sa.add_argument("--samples", type=int, help="base samples N: sobol N*(D+2) games, N a power of 2 (default 64); "
                                                "morris N trajectories, N*(D+1) games (default 10)")
    sa.add_argument("--outcome", action="append", default=[], metavar="METRIC",
                    help="final-turn metric to explain (repeatable; default a few headline DESIGN §5 metrics)")
    sa.add_argument("--workers", type=int, help="worker processes (default: one per CPU)")
    sa.add_argument("--seed", type=int, help="game seed of every sample, and the sampler's seed (default 0)")
    sa.add_argument("--out", metavar="DIR", help="results directory (default runs/sensitivity/<UTC timestamp>)")
    sa.add_argument("--no-track", action="store_true", help="do not log to MLflow")
    sa.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    sa.add_argument("--max-file-mb", metavar="MB", default=argparse.SUPPRESS, help=limit_help)
    sa.set_defaults(func=cmd_sensitivity)
    return ap


def _apply_file_limit(value: str | None) -> None:
    if value is None:
        return
    try:
        mb = float(value)
    except ValueError:
        raise UsageError(f"--max-file-mb {value}: must be a number of megabytes, e.g. 20") from None
    if not math.isfinite(mb) or mb <= 0 or mb * 2**20 < 1:
        raise UsageError(f"--max-file-mb {value}: must be a finite number above 0 (at least one byte)")
    limits.set_max_file_bytes(int(min(mb * 2**20, 2**62)))  # 1e303 MB overflows to inf bytes: no limit


def _install_signal_handlers() -> dict:
    """SIGINT/SIGTERM raise Interrupted once; a second signal during the clean-up is ignored so
    the clean-up finishes. A forked worker (`effects`) just exits, quietly."""
    owner, fired = os.getpid(), []

    def handler(signum: int, frame: object) -> None:
        if os.getpid() != owner:
            os._exit(128 + signum)
        if fired:
            return
        fired.append(signum)
        raise Interrupted(signum)

    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, handler)
        except (ValueError, OSError):  # not the main thread: leave signals alone
            pass
    return previous


def _interrupted(signum: int, args: argparse.Namespace) -> int:
    name = signal.Signals(signum).name
    save = getattr(args, "save", None)
    if getattr(args, "mc_out", None) is not None:  # an experiment: its finished chunks are kept
        out = args.mc_out
        print(_printable(f"wargame: interrupted ({name}); finished chunks are kept in {out}: "
                       f"continue with wargame mc --resume {out}"), file=sys.stderr)
        return 128 + signum
    if not hasattr(args, "save"):  # a command that never saves
        print(f"wargame: interrupted ({name})", file=sys.stderr)
        return 128 + signum
    if not save:
        tail = "nothing saved"
    else:
        before = getattr(args, "save_before", _file_identity(save))
        now = _file_identity(save)
        if now is not None and now != before:
            tail = f"the game was saved to {save} just before the interrupt"
        elif before is None:
            tail = f"nothing saved (no file written at {save})"
        else:
            tail = f"nothing saved; the earlier save {save} is unchanged"
    print(_printable(f"wargame: interrupted ({name}); {tail}"), file=sys.stderr)
    return 128 + signum


def main(argv: list[str] | None = None) -> int:
    previous_handlers = _install_signal_handlers()
    previous_limit = limits.max_file_bytes()
    args = argparse.Namespace()
    try:
        parser = build_parser()
        args, extra = parser.parse_known_args(argv)
        if extra:
            raise _unknown_args(parser, args, extra)
        _apply_file_limit(getattr(args, "max_file_mb", None))
        return args.func(args)
    except ScenarioError as exc:
        return _fail(exc.problems)
    except SaveError as exc:
        return _fail(exc.problems)
    except UsageError as exc:
        return _fail([_with_command(exc, args)])
    except BrokenPipeError:
        return 0
    except OSError as exc:  # the operating system refused a file the user named (or the disk filled)
        return _fail([_os_problem(exc)])
    except ResolutionError as exc:  # a mechanics fault: not the user's input, and nothing was half-done
        print(f"wargame: internal error: {_printable(str(exc))}", file=sys.stderr)
        return 1
    except Interrupted as exc:
        return _interrupted(exc.signum, args)
    finally:
        for sig, handler in previous_handlers.items():
            signal.signal(sig, handler)
        limits.set_max_file_bytes(previous_limit)


if __name__ == "__main__":
    raise SystemExit(main())
