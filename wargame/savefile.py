"""Save files: JSON with the scenario, seed, seats, parameter draw (or null), move log and a snapshot.

Writes go to a temporary file in the same folder and are renamed over the target only when
complete, so a failed save never destroys the last good one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from wargame.ids import parse_quarter
from wargame.scenario import Scenario, ScenarioError, scenario_from_dict
from wargame.state import World

FORMAT = "chip-war-wargame-save"
VERSION = 2  # 2: the supply-chain rewrite (packaging, HBM, US intelligence, prices) and the parameter draw


class SaveError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def write_save(path: str | Path, body: dict) -> None:
    path = Path(path)
    data = {"format": FORMAT, "version": VERSION, **body}
    text = json.dumps(data, indent=1, sort_keys=True, allow_nan=False)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_save(path: str | Path) -> tuple[Scenario, dict]:
    label = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SaveError([f"{label}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SaveError([f"{label}: cannot read ({exc.__class__.__name__})"]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SaveError([f"{label}: (document): not a save file: JSON error at line {exc.lineno}, column {exc.colno}"]) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SaveError([f"{label}: format: not a save file (expected format {FORMAT!r})"])
    if data.get("version") != VERSION:
        raise SaveError([f"{label}: version: {data.get('version')!r} is not supported (this program reads version {VERSION})"])
    problems = []
    for key, kind in (("scenario", dict), ("seed", int), ("moves", list), ("snapshot", dict)):
        if not isinstance(data.get(key), kind) or isinstance(data.get(key), bool):
            problems.append(f"{label}: {key}: missing or not a {kind.__name__}")
    if problems:
        raise SaveError(problems)
    try:
        scenario = scenario_from_dict(data["scenario"], f"{label}: scenario")
    except ScenarioError as exc:
        raise SaveError(exc.problems) from None
    snap = data["snapshot"]
    for key in ("world", "phase", "used", "public_moves", "records", "flows"):
        if key not in snap:
            problems.append(f"{label}: snapshot.{key}: required field is missing")
    if problems:
        raise SaveError(problems)
    try:
        World.model_validate(snap["world"])
    except ValidationError as exc:
        raise SaveError([f"{label}: snapshot.world.{'.'.join(map(str, e['loc']))}: {e['msg']}"
                         for e in exc.errors(include_url=False)]) from None
    world = World.model_validate(snap["world"])
    problems += _check_consistency(label, scenario, data, world)
    if data.get("param_draw") is not None:  # absent in saves written before parameter sampling
        from wargame.sampling import draw_problems

        problems += [f"{label}: {p}" for p in draw_problems(scenario, data["param_draw"])]
    if problems:
        raise SaveError(problems)
    return scenario, data


def _check_consistency(label: str, scenario: Scenario, data: dict, world: World) -> list[str]:
    """The parts of a save that pydantic does not type: they must agree with the scenario."""
    from policies.registry import POLICY_NAMES

    snap, out = data["snapshot"], []
    if data["seed"] < 0:
        out.append(f"{label}: seed: must be a non-negative integer")
    phase = snap["phase"]
    if not isinstance(phase, int) or isinstance(phase, bool) or not 0 <= phase < len(scenario.actors):
        out.append(f"{label}: snapshot.phase: must be an integer 0..{len(scenario.actors) - 1}")
    seats = data.get("seats", {})
    if not isinstance(seats, dict):
        out.append(f"{label}: seats: must be a mapping of actor to policy")
    else:
        for actor, policy in seats.items():
            if actor not in scenario.actors:
                out.append(f"{label}: seats.{actor}: unknown actor; actors: {', '.join(scenario.actors)}")
            elif policy not in POLICY_NAMES:
                out.append(f"{label}: seats.{actor}: unknown policy {policy!r}; policies: {', '.join(POLICY_NAMES)}")
    if sorted(world.tier2) != sorted(scenario.tier2):
        out.append(f"{label}: snapshot.world.tier2: nations {sorted(world.tier2)} differ from the scenario's {sorted(scenario.tier2)}")
    if not 0 <= world.turn <= scenario.turns:
        out.append(f"{label}: snapshot.world.turn: {world.turn} is outside 0..{scenario.turns}")
    elif world.quarter_index != parse_quarter(scenario.start_quarter) + world.turn:
        out.append(f"{label}: snapshot.world.quarter_index: does not match start_quarter + turn")
    used = snap["used"]
    if not isinstance(used, list) or not all(isinstance(k, list) and len(k) == 2 and all(isinstance(x, str) for x in k) for k in used):
        out.append(f"{label}: snapshot.used: must be a list of [kind, target] pairs")
    for key, kind in (("records", list), ("public_moves", list), ("flows", dict)):
        if not isinstance(snap[key], kind):
            out.append(f"{label}: snapshot.{key}: must be a {kind.__name__}")
    if isinstance(snap["records"], list):
        if len(snap["records"]) != world.turn or not all(isinstance(r, dict) for r in snap["records"]):
            out.append(f"{label}: snapshot.records: must hold one record per turn played ({world.turn})")
    if not all(isinstance(m, dict) and isinstance(m.get("actor"), str) for m in data["moves"]):
        out.append(f"{label}: moves: every entry must be an object with an actor")
    return out
