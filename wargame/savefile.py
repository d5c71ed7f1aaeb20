"""Save files: JSON with the model version, scenario, seed, seats, parameter draw (or null),
move log and a snapshot.

Reading is bounded and strict before anything is trusted: size (limits.max_file_bytes), a
regular file, UTF-8 without a BOM, JSON without NaN/Infinity or duplicate keys, nesting at most
limits.MAX_NESTING, this format version and model version. The snapshot is then checked by
replaying the move log (wargame/verify.py), so nothing in it is taken on trust. Writes are
atomic (wargame/safe_write.py), so a failed save never destroys the last good one.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import math
import os
import stat
from pathlib import Path
from typing import Any

from wargame import MODEL_VERSION, limits
from wargame.safe_write import UnsafeTarget, write_atomic
from wargame.scenario import Scenario, ScenarioError, scenario_from_dict

FORMAT = "chip-war-wargame-save"
# 2: the supply-chain rewrite and the parameter draw; 3: model_version, verified by replay on load;
# 4: a digest over the rest, so that an edit the replay cannot see (a seat, the scenario's text, an
# event after the saved quarter) is refused too
VERSION = 4
FIELDS = {  # top-level field -> (type, required)
    "format": (str, True), "version": (int, True), "model_version": (str, True),
    "scenario_name": (str, True), "scenario": (dict, True), "seed": (int, True), "seats": (dict, True),
    "param_draw": ((dict, type(None)), False), "moves": (list, True), "snapshot": (dict, True),
    "digest": (str, True),
}
_KIND_NAMES = {str: "a string", int: "an integer", dict: "an object", list: "a list"}


class SaveError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def write_save(path: str | Path, body: dict, force: bool = False) -> None:
    """Raises SaveError if the target is no place for a save (see safe_write), OSError if the
    write fails; either way any earlier file is unchanged."""
    data = {"format": FORMAT, "version": VERSION, "model_version": MODEL_VERSION, **body}
    data["digest"] = save_digest(data)
    text = json.dumps(data, indent=1, sort_keys=True, allow_nan=False)
    try:
        write_atomic(path, text, force)
    except UnsafeTarget as exc:
        raise SaveError([f"{path}: {exc}"]) from None


def save_digest(data: dict) -> str:
    """sha256 of every field but the digest, in one canonical spelling (a re-indented file keeps it)."""
    from wargame.state import canonical_json

    return hashlib.sha256(canonical_json({k: v for k, v in data.items() if k != "digest"}).encode()).hexdigest()


def digest_problem(data: dict, label: str) -> str | None:
    """An edit the replay did not catch (it checks the moves and the snapshot, not the seats, the
    scenario's text or what comes after the saved quarter)."""
    if data["digest"] == save_digest(data):
        return None
    return (f"{label}: digest: the file was edited after it was saved (its content no longer matches its digest); "
            "change seats with --seat or in the table, not in the file")


class _NonFinite:
    """Where the parser met NaN, Infinity or a float too large for a double (1e999)."""

    def __init__(self, token: str):
        self.token = token


class _DuplicateKey(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def _float(token: str) -> float | _NonFinite:
    x = float(token)
    return x if math.isfinite(x) else _NonFinite(token)


def _first_bad_node(data: Any, path: str, depth: int) -> str | None:
    """The first value that is too deep or not finite, as `path: problem`."""
    if depth > limits.MAX_NESTING:
        return f"{path}: nested deeper than {limits.MAX_NESTING} levels (a save is never that deep)"
    if isinstance(data, _NonFinite):
        return f"{path}: {data.token} is not a number a save may hold (NaN and infinities are refused)"
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for k, v in items:
        if isinstance(v, (dict, list, _NonFinite)):
            sub = f"{path}[{k}]" if isinstance(data, list) else (f"{path}.{k}" if path else str(k))
            bad = _first_bad_node(v, sub, depth + 1)
            if bad:
                return bad
    return None


def _read_text(path: str | Path, label: str) -> str:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise SaveError([f"{label}: no such file"]) from None
    except OSError as exc:
        raise SaveError([f"{label}: cannot read ({exc.strerror or exc.__class__.__name__})"]) from None
    if stat.S_ISDIR(st.st_mode):
        raise SaveError([f"{label}: is a directory, not a save file"])
    if not stat.S_ISREG(st.st_mode):
        raise SaveError([f"{label}: not a regular file (a FIFO, socket or device); a save file is a regular file"])
    too_big = limits.file_size_problem(st.st_size, label)
    if too_big:
        raise SaveError([too_big])
    try:
        with open(path, "rb") as f:
            raw = limits.read_capped(f)
    except OSError as exc:
        raise SaveError([f"{label}: cannot read ({exc.strerror or exc.__class__.__name__})"]) from None
    too_big = limits.file_size_problem(len(raw), label)  # it grew after the stat
    if too_big:
        raise SaveError([too_big])
    if raw.startswith(codecs.BOM_UTF8):
        raise SaveError([f"{label}: (document): starts with a byte-order mark; a save file is UTF-8 without one"])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SaveError([f"{label}: (document): not UTF-8 text (byte {exc.start}); not a save file"]) from None


def parse_save_text(text: str, label: str) -> Any:
    """json.loads that refuses NaN, Infinity, duplicate keys and deep nesting, one line each."""
    try:
        data = json.loads(text, parse_constant=_NonFinite, parse_float=_float, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        raise SaveError([f"{label}: (document): not a save file: JSON error at line {exc.lineno}, column {exc.colno}"]) from None
    except _DuplicateKey as exc:
        raise SaveError([f"{label}: (document): key {exc.args[0]!r} appears twice in one object"]) from None
    except RecursionError:
        raise SaveError([f"{label}: (document): nested deeper than {limits.MAX_NESTING} levels (a save is never that deep)"]) from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise SaveError([f"{label}: (document): not a save file ({limits.python_reason(exc)})"]) from None
    bad = _first_bad_node(data, "", 1)
    if bad:
        raise SaveError([f"{label}: {bad}"])
    return data


def _check_header(data: Any, label: str) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        kind = "" if isinstance(data, dict) else f", got a JSON {type(data).__name__}"
        raise SaveError([f"{label}: format: not a save file (expected an object with format {FORMAT!r}{kind})"])
    version = data.get("version")
    if "version" not in data:
        raise SaveError([f"{label}: version: required field is missing (this program reads save format {VERSION})"])
    if type(version) is not int or version != VERSION:
        raise SaveError([f"{label}: version: save format {version!r} is not supported; this program reads format "
                         f"{VERSION} only (a save of another format cannot be verified: play the game again)"])
    made_with = data.get("model_version")
    if "model_version" not in data:
        raise SaveError([f"{label}: model_version: required field is missing; this program is model version "
                         f"{MODEL_VERSION!r} and can verify only saves made with it"])
    if made_with != MODEL_VERSION:
        raise SaveError([f"{label}: model_version: made with model version {made_with!r}; this program is model "
                         f"version {MODEL_VERSION!r}; replay it with that version (its moves would play out differently here)"])


def _check_fields(data: dict, label: str) -> list[str]:
    out = [f"{label}: {k}: unknown field (not part of a save file)" for k in sorted(data) if k not in FIELDS]
    for key, (kind, required) in FIELDS.items():
        if key not in data:
            if required:
                out.append(f"{label}: {key}: required field is missing")
        elif not isinstance(data[key], kind) or isinstance(data[key], bool):
            out.append(f"{label}: {key}: must be {_KIND_NAMES.get(kind, 'an object or null')}")
    if isinstance(data.get("seed"), int) and not isinstance(data["seed"], bool) and data["seed"] < 0:
        out.append(f"{label}: seed: must be a non-negative integer")
    return out


def _check_against_scenario(label: str, scenario: Scenario, data: dict) -> list[str]:
    """Fields the replay takes as given: they must at least be possible for this scenario."""
    from policies.registry import policy_problem
    from wargame.sampling import draw_problems

    out = []
    if data["scenario_name"] != scenario.name:
        out.append(f"{label}: scenario_name: {data['scenario_name']!r}, but the saved scenario is {scenario.name!r}")
    for actor, policy in data["seats"].items():
        if actor not in scenario.actors:
            out.append(f"{label}: seats.{actor}: unknown actor; actors: {', '.join(scenario.actors)}")
        elif policy_problem(policy, actor, allow_human=True):
            out.append(f"{label}: seats.{actor}: {policy_problem(policy, actor, allow_human=True)}")
    if data.get("param_draw") is not None:
        out += [f"{label}: {p}" for p in draw_problems(scenario, data["param_draw"])]
    return out


def read_save(path: str | Path) -> tuple[Scenario, dict]:
    """The save's scenario and its fields, checked as far as they can be without replaying;
    SaveError (one line per problem, naming the file and field) otherwise."""
    label = str(path)
    data = parse_save_text(_read_text(path, label), label)
    _check_header(data, label)
    problems = _check_fields(data, label)
    if problems:
        raise SaveError(problems)
    try:
        scenario = scenario_from_dict(data["scenario"], f"{label}: scenario")
    except ScenarioError as exc:
        raise SaveError(exc.problems) from None
    except Exception as exc:  # a backstop: untrusted input must end in one line, never a traceback
        raise SaveError([f"{label}: scenario: cannot be read ({exc.__class__.__name__}: {str(exc)[:120]})"]) from None
    problems = _check_against_scenario(label, scenario, data)
    if problems:
        raise SaveError(problems)
    return scenario, data
