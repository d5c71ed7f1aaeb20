"""What an experiment's manifest.json may hold, checked before `--resume` trusts it.

The manifest is the experiment's memory: its runs, seeds, arms and column types decide which
games the remaining chunks play and how their rows are written. A hand-edited or damaged one
must be refused in one line naming the field, not crash a worker, play a float seed or try to
allocate a trillion runs. Fields that older manifests lack (`track`, `mlflow_runs`,
`model_version`, `scenario_sha256`) stay optional; anything else extra is refused.
"""

from __future__ import annotations

import functools
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Name = Annotated[str, Field(min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Arm(_Strict):
    name: Name
    scenario: Annotated[str, Field(max_length=4096)]  # "" for a forked save's own scenario
    overrides: list[Annotated[list[Name], Field(min_length=2, max_length=2)]]


class _Compare(_Strict):
    actor: Name
    policies: Annotated[list[Name], Field(min_length=1)]


class _TrackedRun(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    run_id: str
    store: str
    results_hash: str | None = None


@functools.cache
def _schema(fmt: int, max_runs: int, max_seed: int) -> type[BaseModel]:
    class Manifest(_Strict):
        format: Literal[fmt]  # type: ignore[valid-type]
        runs: Annotated[int, Field(ge=1, le=max_runs)]
        seed: Annotated[int, Field(ge=0, le=max_seed)]
        chunk_size: Annotated[int, Field(ge=1, le=max_runs)]
        seats: dict[Name, Name]
        compare: _Compare | None
        scenarios: Annotated[list[Annotated[str, Field(max_length=4096)]], Field(min_length=1)]
        compare_scenarios: bool
        sample_params: bool
        lhs: bool
        from_save: str | None
        from_save_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None
        arms: Annotated[list[_Arm], Field(min_length=1)]
        param_names: list[Name]
        metric_types: Annotated[dict[Name, Literal["int", "float", "string"]], Field(min_length=1)]
        model_version: str | None = None
        scenario_sha256: dict[str, Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]] | None = None
        track: bool | None = None
        mlflow_runs: list[_TrackedRun] | None = None
        digest: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None  # checked against the rest by read_manifest

    return Manifest


def manifest_problem(manifest: object, fmt: int, max_runs: int, max_seed: int) -> str | None:
    """The first thing wrong with a manifest's shape ("field: what is allowed"), or None."""
    if not isinstance(manifest, dict):
        return f"expected a JSON object, got {type(manifest).__name__}"
    try:
        _schema(fmt, max_runs, max_seed).model_validate(manifest)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err["loc"]) or "(document)"
        return f"{where}: {err['msg']}"
    return None
