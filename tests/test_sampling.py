"""Parameter distributions and `--sample-params`: draws, streams, save/load, validation, CLI.

The checks are about behaviour, not model numbers: each kind's draws follow its distribution
(Kolmogorov-Smirnov against scipy's exact CDF), a draw is a function of (seed, parameter
name) only, a sampled game saved and loaded continues exactly as one played straight
through, and bad distributions or bad claimed draws are refused with exit 2 and the field.
Distributions in these tests are built around each parameter's current value, so the
mechanics and the scenario files may change underneath.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from wargame.cli import main
from wargame.distributions import draw, in_support
from wargame.model import PARAMS, stream
from wargame.runner import make_seats, play, play_phase
from wargame.sampling import draw_parameters, draw_problems, sampled_names
from wargame.savefile import VERSION, SaveError
from wargame.scenario import Distribution, Parameter, Scenario, load_scenario
from wargame.session import GameSession

N = 4000


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_usage_error(code: int, err: str, *needles: str) -> list[str]:
    assert code == 2, err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines and all(ln.startswith("wargame: ") for ln in lines), err
    for needle in needles:
        assert needle in err, f"{needle!r} not in stderr:\n{err}"
    return lines


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario("baseline")


def float_params(sc: Scenario) -> list[str]:
    """Names of float parameters with a positive value (any such parameter will do)."""
    from wargame.params import Params

    return sorted(n for n, p in sc.parameters.items()
                  if Params.model_fields[n].annotation is float and isinstance(p.value, (int, float)) and p.value > 0)


def with_distributions(sc: Scenario, dists: dict[str, Distribution | None]) -> Scenario:
    """The scenario with these parameters' distributions replaced (None removes one)."""
    params = dict(sc.parameters)
    for name, dist in dists.items():
        params[name] = params[name].model_copy(update={"distribution": dist})
    return sc.model_copy(update={"parameters": params})


def spread(value: float) -> Distribution:
    return Distribution(kind="uniform", low=0.5 * value, high=1.5 * value)


def draws(dist: Distribution, value: float, n: int = N, integer: bool = False) -> np.ndarray:
    return np.array([draw(dist, value, stream(99, PARAMS, i), integer) for i in range(n)])


# --- each kind ---------------------------------------------------------------------------------------

KINDS = {
    # name: (distribution, parameter value, scipy frozen distribution it must follow)
    "uniform": (Distribution(kind="uniform", low=1.0, high=3.0), 2.0, stats.uniform(1.0, 2.0)),
    "triangular": (Distribution(kind="triangular", low=0.0, high=4.0), 1.0, stats.triang(0.25, 0.0, 4.0)),
    "triangular_mode": (Distribution(kind="triangular", low=0.0, high=4.0, mode=3.0), 1.0, stats.triang(0.75, 0.0, 4.0)),
    "truncated_normal": (Distribution(kind="truncated_normal", sd=0.5, low=0.2, high=3.0), 1.0,
                         stats.truncnorm((0.2 - 1.0) / 0.5, (3.0 - 1.0) / 0.5, 1.0, 0.5)),
    "truncated_normal_mean": (Distribution(kind="truncated_normal", mean=2.0, sd=1.0, low=0.0, high=2.5), 1.0,
                              stats.truncnorm(-2.0, 0.5, 2.0, 1.0)),
    "truncated_normal_far": (Distribution(kind="truncated_normal", mean=0.0, sd=0.1, low=1.5, high=1.9), 1.6,
                             stats.truncnorm(15.0, 19.0, 0.0, 0.1)),  # 15 sd out: the reflected tail keeps precision
    "lognormal": (Distribution(kind="lognormal", sigma=0.5), 2.0, stats.lognorm(0.5, scale=2.0)),
    "lognormal_clipped": (Distribution(kind="lognormal", sigma=0.5, median=2.0, low=1.0, high=3.0), 2.0, None),
}


def _lognormal_clipped_cdf(x):
    lo, hi = stats.norm.cdf(np.log([1.0, 3.0]), np.log(2.0), 0.5)
    return (stats.norm.cdf(np.log(np.clip(x, 1.0, 3.0)), np.log(2.0), 0.5) - lo) / (hi - lo)


@pytest.mark.parametrize("case", sorted(KINDS))
def test_each_kind_draws_inside_its_support_and_follows_its_distribution(case):
    dist, value, exact = KINDS[case]
    x = draws(dist, value)
    lo = dist.low if dist.low is not None else 0.0
    hi = dist.high if dist.high is not None else math.inf
    assert np.all((x >= lo) & (x <= hi)), case
    assert all(in_support(dist, v) for v in x[:200])
    cdf = exact.cdf if exact is not None else _lognormal_clipped_cdf
    assert stats.kstest(x, cdf).pvalue > 0.001, case
    if exact is not None:
        assert abs(np.mean(x) - exact.mean()) < 4 * exact.std() / math.sqrt(N), "centre"


def test_the_centre_defaults_to_the_parameters_value():
    for kind, extra in (("triangular", {"low": 0.0, "high": 10.0}), ("truncated_normal", {"sd": 1.0, "low": 0.0, "high": 10.0}),
                        ("lognormal", {"sigma": 0.3})):
        dist = Distribution(kind=kind, **extra)
        lo_centre, hi_centre = np.median(draws(dist, 3.0, 1500)), np.median(draws(dist, 7.0, 1500))
        assert lo_centre < hi_centre, kind
        if kind == "lognormal":
            assert abs(lo_centre / 3.0 - 1) < 0.05 and abs(hi_centre / 7.0 - 1) < 0.05


def test_integer_parameters_round_their_draw_inside_the_bounds():
    dist = Distribution(kind="uniform", low=1.5, high=4.5)
    x = draws(dist, 3, 2000, integer=True)
    assert all(isinstance(v, (int, np.integer)) for v in x)
    assert set(x.tolist()) == {2, 3, 4}
    lognormal = Distribution(kind="lognormal", sigma=2.0)
    assert min(draws(lognormal, 1, 500, integer=True)) >= 1, "an integer lognormal never rounds to 0"
    assert not in_support(dist, 2.5, integer=True) and in_support(dist, 2, integer=True)


@given(seed=st.integers(0, 2**63 - 1), kind=st.sampled_from(sorted(KINDS)))
def test_any_seed_draws_inside_the_support(seed, kind):
    dist, value, _ = KINDS[kind]
    x = draw(dist, value, stream(seed, PARAMS, 7))
    assert math.isfinite(x) and in_support(dist, x)


# --- draws of a scenario ------------------------------------------------------------------------------


def test_same_seed_same_draw_other_seed_other_draw(baseline):
    names = float_params(baseline)[:3]
    sc = with_distributions(baseline, {n: spread(baseline.parameters[n].value) for n in names})
    a, b, c = draw_parameters(sc, 11), draw_parameters(sc, 11), draw_parameters(sc, 12)
    assert a == b
    assert set(names) <= set(a) and list(a) == sorted(a)
    assert all(a[n] != c[n] for n in names)


def test_parameters_with_the_same_distribution_draw_differently(baseline):
    names = float_params(baseline)[:2]
    same = Distribution(kind="uniform", low=0.0, high=10 * max(baseline.parameters[n].value for n in names))
    draw_ = draw_parameters(with_distributions(baseline, dict.fromkeys(names, same)), 5)
    assert draw_[names[0]] != draw_[names[1]]


def test_adding_or_removing_a_distribution_does_not_shift_the_others(baseline):
    names = float_params(baseline)[:4]
    few = with_distributions(baseline, {n: spread(baseline.parameters[n].value) for n in names[1:3]})
    more = with_distributions(few, {names[0]: spread(baseline.parameters[names[0]].value),
                                    names[3]: spread(baseline.parameters[names[3]].value)})
    a, b = draw_parameters(few, 3), draw_parameters(more, 3)
    assert {n: b[n] for n in a} == a


def test_a_sampled_game_uses_its_draw(baseline):
    names = float_params(baseline)[:2]
    sc = with_distributions(baseline, {n: spread(baseline.parameters[n].value) for n in names})
    s = GameSession(sc, 4, sample_params=True)
    assert s.param_draw == draw_parameters(sc, 4)
    for name, value in s.param_draw.items():
        assert getattr(s.model.params, name) == value
    plain = GameSession(sc, 4)
    assert plain.param_draw is None
    assert all(getattr(plain.model.params, n) == sc.parameters[n].value for n in names)


def test_draw_problems_accepts_its_own_draws_and_names_bad_entries(baseline):
    name = float_params(baseline)[0]
    value = baseline.parameters[name].value
    sc = with_distributions(baseline, {n: None for n in sampled_names(baseline)} | {name: spread(value)})
    assert draw_problems(sc, draw_parameters(sc, 1)) == []
    other = float_params(baseline)[1]
    problems = draw_problems(sc, {name: value, other: 1.0})
    assert len(problems) == 1 and problems[0].startswith(f"param_draw.{other}:") and "no distribution" in problems[0]
    assert draw_problems(sc, {name: 10 * value})[0].startswith(f"param_draw.{name}:")
    assert "outside" in draw_problems(sc, {name: 10 * value})[0]
    assert "no value" in draw_problems(sc, {})[0]
    assert "finite" in draw_problems(sc, {name: "x"})[0]
    with pytest.raises(ValueError, match=other):
        GameSession(sc, 0, param_draw={name: value, other: 1.0})


# --- save, load, replay --------------------------------------------------------------------------------


def _mid_game(sc: Scenario, seed: int, turns: int) -> tuple[GameSession, dict]:
    s = GameSession(sc, seed, sample_params=True)
    policies = make_seats(s, {"us": "random", "smugglers": "random"})
    play(s, policies, turns)
    play_phase(s, s.current_actor, policies[s.current_actor])  # stop mid-quarter
    return s, policies


def test_a_saved_sampled_game_continues_exactly_like_one_played_straight(baseline, tmp_path):
    names = float_params(baseline)[:3]
    sc = with_distributions(baseline, {n: spread(baseline.parameters[n].value) for n in names})
    straight, policies = _mid_game(sc, 6, 3)
    path = tmp_path / "sampled.json"
    straight.save(path)
    assert json.loads(path.read_text())["param_draw"] == straight.param_draw
    loaded = GameSession.load(path)
    assert loaded.param_draw == straight.param_draw
    assert loaded.model.params == straight.model.params
    assert loaded.snapshot_hash() == straight.snapshot_hash()
    play(straight, policies)
    play(loaded, make_seats(loaded))
    assert loaded.state_hash() == straight.state_hash()
    assert loaded.snapshot_hash() == straight.snapshot_hash()
    again = GameSession.replay(sc, 6, straight.moves, straight.seats, param_draw=straight.param_draw)
    assert again.snapshot_hash() == straight.snapshot_hash()


def test_an_unsampled_save_stores_null_and_the_field_cannot_be_dropped(baseline, tmp_path):
    s = GameSession(baseline, 2)
    play(s, make_seats(s), 1)
    path = tmp_path / "plain.json"
    s.save(path)
    data = json.loads(path.read_text())
    assert data["param_draw"] is None and data["version"] == VERSION
    assert GameSession.load(path).param_draw is None
    del data["param_draw"]  # the same game, but not the file that was saved: save format 4's digest
    path.write_text(json.dumps(data))
    with pytest.raises(SaveError, match="digest: the file was edited after it was saved"):
        GameSession.load(path)


@pytest.fixture
def sampled_save(baseline, tmp_path) -> tuple[Path, dict]:
    s = GameSession(baseline, 1, sample_params=True)
    play(s, make_seats(s), 1)
    path = tmp_path / "sampled.json"
    s.save(path)
    return path, json.loads(path.read_text())


@pytest.mark.parametrize("corrupt", ["no_distribution", "outside", "not_a_number", "missing"])
def test_a_save_claiming_an_impossible_draw_is_refused(capsys, tmp_path, baseline, sampled_save, corrupt):
    path, data = sampled_save
    if not data["param_draw"]:
        pytest.skip("baseline has no parameter with a distribution")
    name = sorted(data["param_draw"])[0]
    dist = data["scenario"]["parameters"][name]["distribution"]
    if corrupt == "no_distribution":
        name = next(n for n in float_params(baseline) if baseline.parameters[n].distribution is None)
        data["param_draw"][name] = baseline.parameters[name].value
    elif corrupt == "outside":
        data["param_draw"][name] = (dist.get("high") or 1e6) * 10
    elif corrupt == "not_a_number":
        data["param_draw"][name] = "high"
    else:
        del data["param_draw"][name]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(SaveError):
        GameSession.load(bad)
    code, _, err = run(capsys, "run", "--load", str(bad))
    lines = assert_usage_error(code, err, str(bad), "param_draw")
    assert len(lines) == 1
    if corrupt != "missing":
        assert f"param_draw.{name}" in err


# --- validation of scenario files --------------------------------------------------------------------


def _some(sc: Scenario, kind: type) -> str:
    return next(n for n, p in sorted(sc.parameters.items()) if isinstance(p.value, kind))


BAD = {
    # case: (distribution or None to keep, value override or None, field the message must name, words)
    "missing_high": ({"kind": "uniform", "low": 0.5}, 1.0, "distribution.high", "required"),
    "low_not_below_high": ({"kind": "uniform", "low": 2.0, "high": 2.0}, 2.0, "distribution.high", "greater than low"),
    "sd_zero": ({"kind": "truncated_normal", "sd": 0.0, "low": 0.0, "high": 2.0}, 1.0, "distribution.sd", "greater than 0"),
    "sigma_negative": ({"kind": "lognormal", "sigma": -0.1}, 1.0, "distribution.sigma", "greater than 0"),
    "infinite_high": ({"kind": "uniform", "low": 0.0, "high": math.inf}, 1.0, "distribution.high", "finite"),
    "value_below_low": ({"kind": "uniform", "low": 2.0, "high": 3.0}, 1.0, "distribution.low", "value"),
    "value_above_high": ({"kind": "truncated_normal", "sd": 1.0, "low": 0.0, "high": 0.5}, 1.0, "distribution.high", "value"),
    "plain_normal": ({"kind": "normal", "sd": 1.0}, 1.0, "distribution.kind", "truncated_normal"),
    "unused_field": ({"kind": "uniform", "low": 0.0, "high": 2.0, "sd": 1.0}, 1.0, "distribution.sd", "not used"),
    "mode_outside": ({"kind": "triangular", "low": 0.0, "high": 2.0, "mode": 3.0}, 1.0, "distribution.mode", "[low, high]"),
    "lognormal_low_zero": ({"kind": "lognormal", "sigma": 0.3, "low": 0.0}, 1.0, "distribution.low", "greater than 0"),
    "lognormal_median_default_negative": ({"kind": "lognormal", "sigma": 0.3}, -1.0, "distribution.median", "greater than 0"),
    "unknown_field": ({"kind": "uniform", "low": 0.0, "high": 2.0, "width": 1}, 1.0, "distribution.width", "unknown field"),
    # a mean 500 sd above [low, high]: no probability inside, so every draw would be exactly `high`
    "truncated_normal_no_mass": ({"kind": "truncated_normal", "mean": 6.0, "sd": 0.01, "low": 0.5, "high": 1.0}, 1.0,
                                 "distribution", "a truncated normal with mean 6 and sd 0.01 has probability 0 inside "
                                 "[low, high] = [0.5, 1], below 1e-06"),
    "truncated_normal_wide": ({"kind": "truncated_normal", "sd": 1e9, "low": 0.5, "high": 1.0}, 1.0,
                              "distribution", "narrow sd"),
    "lognormal_no_mass": ({"kind": "lognormal", "median": 100.0, "sigma": 0.01, "low": 0.5, "high": 2.0}, 1.0,
                          "distribution", "a lognormal with median 100 and sigma 0.01 has probability 0 inside"),
    "lognormal_high_only_no_mass": ({"kind": "lognormal", "median": 100.0, "sigma": 0.1, "high": 2.0}, 1.0,
                                    "distribution", "[low, high] = [0, 2], below 1e-06"),
}


def test_a_truncated_distribution_keeping_enough_probability_is_accepted():
    from wargame.distributions import MIN_MASS, distribution_problems, mass_inside

    assert mass_inside(0.0, 1.0, -math.inf, math.inf) == 1.0
    assert mass_inside(0.0, 0.1, 1.5, 1.9) == pytest.approx(stats.norm.sf(15.0), rel=1e-6)  # the far tail stays precise
    assert mass_inside(0.0, 1.0, 4.0, math.inf) > MIN_MASS  # 4 sd out: ~3e-5 still draws honestly
    tn = Distribution(kind="truncated_normal", mean=4.0, sd=1.0, low=0.0, high=1.0)
    assert distribution_problems("x", 0.5, tn) == []
    tn = Distribution(kind="truncated_normal", mean=6.0, sd=1.0, low=0.0, high=1.0)  # 5 sd: ~3e-7
    assert "probability 2.9e-07 inside" in distribution_problems("x", 0.5, tn)[0]


def _write(tmp_path: Path, name: str, body: dict) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"extends": "baseline", **body}, sort_keys=False))
    return path


@pytest.mark.parametrize("case", sorted(BAD))
def test_validate_refuses_a_bad_distribution(capsys, tmp_path, baseline, case):
    dist, value, field, words = BAD[case]
    name = float_params(baseline)[0]
    path = _write(tmp_path, case, {"parameters": {name: {"value": value, "distribution": dist}}})
    code, out, err = run(capsys, "validate", str(path))
    lines = assert_usage_error(code, err, str(path), f"parameters.{name}.{field}", words)
    assert out == "" and len(lines) == 1, err


@pytest.mark.parametrize("kind", [list, str])
def test_only_numeric_scalar_parameters_take_a_distribution(capsys, tmp_path, baseline, kind):
    name = _some(baseline, kind)
    path = _write(tmp_path, "nonscalar", {"parameters": {name: {"distribution": {"kind": "uniform", "low": 0, "high": 1}}}})
    code, _, err = run(capsys, "validate", str(path))
    assert_usage_error(code, err, str(path), f"parameters.{name}.distribution:", "numeric scalar")


def test_a_child_distribution_with_a_kind_replaces_the_parents_whole(tmp_path, baseline):
    name = float_params(baseline)[0]
    value = baseline.parameters[name].value
    parent = _write(tmp_path, "parent", {"name": "parent", "parameters": {name: {"distribution": {
        "kind": "triangular", "low": 0.5 * value, "high": 2 * value, "mode": value}}}})
    child = tmp_path / "child.yaml"
    child.write_text(yaml.safe_dump({"extends": str(parent), "name": "child", "parameters": {name: {"distribution": {
        "kind": "uniform", "low": 0.75 * value, "high": 1.5 * value}}}}))
    dist = load_scenario(str(child)).parameters[name].distribution
    assert dist.kind == "uniform" and dist.mode is None and dist.low == 0.75 * value  # no stale triangular mode
    tweak = tmp_path / "tweak.yaml"
    tweak.write_text(yaml.safe_dump({"extends": str(parent), "parameters": {name: {"distribution": {"high": 1.5 * value}}}}))
    dist = load_scenario(str(tweak)).parameters[name].distribution
    assert dist.kind == "triangular" and dist.mode == value and dist.low == 0.5 * value and dist.high == 1.5 * value
    gone = tmp_path / "gone.yaml"
    gone.write_text(yaml.safe_dump({"extends": str(parent), "parameters": {name: {"distribution": None}}}))
    assert load_scenario(str(gone)).parameters[name].distribution is None
    assert load_scenario(str(child)).extends == str(parent)


def test_builtin_distributions_are_sound(scenario_name):
    sc = load_scenario(scenario_name)
    for name in sampled_names(sc):
        par: Parameter = sc.parameters[name]
        assert in_support(par.distribution, par.value), name
    assert draw_problems(sc, draw_parameters(sc, 0)) == []


# --- the command line ------------------------------------------------------------------------------


def test_run_sample_params_json_reports_the_draw(capsys, baseline):
    code, out, err = run(capsys, "run", "--json", "--turns", "2", "--seed", "9", "--sample-params")
    assert code == 0, err
    data = json.loads(out)
    assert data["param_draw"] == draw_parameters(baseline, 9)
    s = GameSession(baseline, 9, sample_params=True)
    assert data["state_hash"] == play(s, make_seats(s), 2).state_hash()
    code, out, _ = run(capsys, "run", "--json", "--turns", "1", "--seed", "9")
    assert json.loads(out)["param_draw"] is None


def test_run_sample_params_table_lists_the_draw(capsys, baseline):
    code, out, _ = run(capsys, "run", "--turns", "1", "--sample-params")
    assert code == 0
    assert out.splitlines()[1].startswith("parameters drawn: ")
    for name in sampled_names(baseline):
        assert f"{name}=" in out


def test_sampled_save_through_the_cli_continues_to_the_straight_result(capsys, tmp_path):
    save = tmp_path / "g.json"
    assert run(capsys, "run", "--turns", "3", "--seed", "2", "--sample-params", "--save", str(save))[0] == 0
    code, out, err = run(capsys, "run", "--json", "--load", str(save), "--turns", "2")
    assert code == 0, err
    resumed = json.loads(out)
    code, out, _ = run(capsys, "run", "--json", "--turns", "5", "--seed", "2", "--sample-params")
    straight = json.loads(out)
    assert resumed["param_draw"] == straight["param_draw"]
    assert resumed["state_hash"] == straight["state_hash"] and resumed["timeline"] == straight["timeline"]


def test_load_with_sample_params_is_a_usage_error(capsys, tmp_path):
    save = tmp_path / "g.json"
    assert run(capsys, "run", "--turns", "1", "--save", str(save))[0] == 0
    code, _, err = run(capsys, "run", "--load", str(save), "--sample-params")
    assert len(assert_usage_error(code, err, "--sample-params", "--load")) == 1


def test_calibrate_sample_params(capsys):
    code, out, err = run(capsys, "calibrate", "--seeds", "1", "--sample-params", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["sample_params"] is True and data["seeds"] == 1
