"""The doctrine library (issue 10): named, parameterised doctrines for every actor.

* Every library doctrine plays its actor (the Tier-2 doctrines: every Tier-2 nation) through a
  whole game on every built-in scenario, every order legal (the runner raises PolicyError).
* A doctrine sees only its observation: with every field of the world its seat cannot see
  changed, the seat gets the same observation and gives the same orders; a doctrine is handed
  no world (its decide takes obs, legal, rng) and ignores the calendar.
* Doctrines differ in the directions their rationales claim, over paired seeds on the baseline.
* The registry offers them and docs/policies.md documents each one, with its current parameters.
"""

from __future__ import annotations

import functools
import inspect
import pickle
import re
import statistics
from pathlib import Path

import pytest
from conftest import new_session, scenario

from policies.doctrine import Dice, doctrine_for
from policies.library import LIBRARY, parameters_line, plan_of
from policies.registry import GENERIC, make_policy, policy_names
from wargame.metrics import CHINA_BLOC
from wargame.observation import PUBLIC_FIELDS, TIER2_PUBLIC
from wargame.runner import play, play_phase
from wargame.session import MAX_ORDERS_PER_TURN, GameSession
from wargame.state import state_hash

ROOT = Path(__file__).resolve().parents[1]
TIER2 = "tier2"
CASES = [(group, name) for group, doctrines in sorted(LIBRARY.items()) for name in doctrines]
SEAT_OF = {TIER2: "malaysia"}  # the Tier-2 seat the per-policy checks play


def _group(sc, actor: str) -> str:
    return TIER2 if actor in sc.tier2 else actor


# --- 1. every doctrine plays every scenario ------------------------------------------------------
def test_every_actor_group_has_its_doctrines():
    wanted = {
        "us": {"hawk", "dove", "status-quo", "transactional"},
        "china": {"self-reliance", "pragmatic", "retaliate"},
        "nvidia": {"lobby-hard", "comply", "china-sku"},
        "huawei": {"volume", "supernode", "export-push"},
        "smic": {"expand", "yield-first"},
        "asml": {"max-sales", "compliant"},
        "smugglers": {"aggressive", "cautious", "cloud-broker"},
        TIER2: {"align-us", "hedge", "pivot-china"},
    }
    assert {g: set(d) for g, d in LIBRARY.items()} == wanted
    for group, name in CASES:
        actor = SEAT_OF.get(group, group)
        assert name in policy_names(actor)
        policy = make_policy(name, actor)
        assert policy.name == name
        assert list(inspect.signature(policy.decide).parameters) == ["obs", "legal", "rng"]  # never the world
        plan = plan_of(group, name)
        assert plan.__doc__ and len(plan.__doc__.split()) > 40, f"{group}/{name} needs its rationale"
        assert "\n" not in LIBRARY[group][name][1]


def test_every_doctrine_plays_every_scenario_legally(scenario_name):
    """Rotating the library over the seats covers every (doctrine, actor) of the scenario in
    max-group-size games; PolicyError would stop a game at the first refused order."""
    sc = scenario(scenario_name)
    rounds = max(len(d) for d in LIBRARY.values())
    played = set()
    for k in range(rounds):
        seats = {}
        for actor in sc.actors:
            names = list(LIBRARY[_group(sc, actor)])
            offset = sc.tier2.index(actor) if actor in sc.tier2 else 0
            seats[actor] = names[(k + offset) % len(names)]
        s, policies = new_session(scenario_name, seed=k, seats=seats)
        play(s, policies)
        assert s.is_over and len(s.timeline) == sc.turns
        ordered = {m["actor"] for m in s.moves if "move" in m and m["move"]["kind"] != "pass"}
        for actor, name in seats.items():
            assert policies[actor].name == name
            assert actor in ordered, f"{actor} ({name}) never gave an order in {scenario_name}"
            played.add((_group(sc, actor), name, actor))
    expected = {(g, n, a) for a in sc.actors for g in [_group(sc, a)] for n in LIBRARY[g]}
    assert played == expected


# --- 2. observations only -------------------------------------------------------------------------
def _perturb(value):
    """A different value of the same shape: amounts scaled, flags flipped; counters and named
    choices are left alone (the rules read some of them for the legal moves of other seats)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, float):
        return value * 0.7 + 0.05  # stays within [0, 1] for shares and within >= 0 for stocks
    if isinstance(value, dict):
        return {k: _perturb(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_perturb(v) for v in value]
    return value


def _tamper(session: GameSession, observer: str) -> None:
    """Change every field of the world that `observer` cannot see (fog of war: observation.py)."""
    world = session.world
    tier2 = tuple(world.tier2)
    for actor in (*PUBLIC_FIELDS, *tier2):
        if actor == observer or (observer in CHINA_BLOC and actor in CHINA_BLOC):
            continue
        state = world.actor_state(actor)
        public = TIER2_PUBLIC if actor in tier2 else PUBLIC_FIELDS[actor]
        for name in type(state).model_fields:
            if name not in public:
                setattr(state, name, _perturb(getattr(state, name)))
    for name in type(world.market).model_fields:
        setattr(world.market, name, _perturb(getattr(world.market, name)))


@functools.cache
def _at_phase(actor: str) -> bytes:
    """A baseline game three quarters in, stopped at `actor`'s phase (earlier seats have ordered)."""
    s, policies = new_session("baseline", seed=5)
    play(s, policies, 3)
    while s.current_actor != actor:
        play_phase(s, s.current_actor, policies[s.current_actor])
    return pickle.dumps(s)


def _phase(session: GameSession, actor: str, policy) -> list:
    """The seat's orders for the quarter up to its pass (not submitted: the last seat's pass
    would resolve a tampered world), the policy handed a plain list of legal moves (no handle on
    the session or the world)."""
    obs = session.observe(actor)
    moves = []
    for _ in range(MAX_ORDERS_PER_TURN + 1):
        move = policy.decide(obs, list(session.legal_moves(actor)), session.policy_rng(actor))
        moves.append(move)
        if move.kind == "pass":
            return moves
        assert session.submit(actor, move) is None, move
    raise AssertionError(f"{actor} never passed")


def _make(group: str, name: str, actor: str):
    return doctrine_for(actor) if name == "default" else make_policy(name, actor)


@pytest.mark.parametrize(("group", "name"), CASES + [(g, "default") for g in sorted(LIBRARY)])
def test_a_doctrine_sees_only_its_observation(group, name):
    actor = SEAT_OF.get(group, group)
    plain = pickle.loads(_at_phase(actor))
    tampered = pickle.loads(_at_phase(actor))
    _tamper(tampered, actor)
    assert state_hash(tampered.world) != state_hash(plain.world)
    assert tampered.legal_moves(actor) == plain.legal_moves(actor)  # the setup changed nothing the seat may order
    obs = plain.observe(actor)
    assert tampered.observe(actor) == obs
    assert _phase(tampered, actor, _make(group, name, actor)) == _phase(plain, actor, _make(group, name, actor))


@pytest.mark.parametrize(("group", "name"), CASES)
def test_a_doctrine_ignores_the_calendar(group, name):
    """The same observation dated years later gets the same plan: reactions come from what is
    seen, not from the quarter."""
    actor = SEAT_OF.get(group, group)
    obs = pickle.loads(_at_phase(actor)).observe(actor)
    later = obs.model_copy(update={"turn": obs.turn + 37, "quarter": "2041Q3"})
    plan = plan_of(group, name)
    assert plan(later, Dice(obs.dice_seed)) == plan(obs, Dice(obs.dice_seed))


# --- 3. doctrines differ in the expected directions ----------------------------------------------
@functools.cache
def _timeline(seats: tuple[tuple[str, str], ...], seed: int) -> tuple[dict, ...]:
    s, policies = new_session("baseline", seed, dict(seats))
    return tuple(play(s, policies).timeline)


def _arm(seats: dict[str, str], seeds: range, measure) -> list[float]:
    return [measure(_timeline(tuple(sorted(seats.items())), seed)) for seed in seeds]


def _total(key: str):
    return lambda tl: sum(r[key] for r in tl)


def _final(key: str):
    return lambda tl: tl[-1][key]


def _late_mean(key: str, quarters: int = 8):
    return lambda tl: statistics.fmean(r[key] for r in tl[-quarters:])


def _more(a: list[float], b: list[float]) -> bool:
    """Arm a above arm b: on average over the paired seeds, and in most pairs."""
    return statistics.fmean(a) > statistics.fmean(b) and sum(x > y for x, y in zip(a, b, strict=True)) > len(a) / 2


SEEDS = range(8)
FEW_SEEDS = range(6)
NATIONS = ("india", "malaysia", "singapore", "uae")


def test_hawk_sells_china_less_and_keeps_a_wider_lead_than_dove():
    hawk, dove = {"us": "hawk"}, {"us": "dove"}
    revenue = _total("nvidia_china_revenue_usd_b")
    assert _more(_arm(dove, SEEDS, revenue), _arm(hawk, SEEDS, revenue))
    ratio = _final("us_china_stock_ratio")
    assert _more(_arm(hawk, SEEDS, ratio), _arm(dove, SEEDS, ratio))


def test_transactional_collects_more_revenue_share_than_status_quo():
    share = _total("us_export_fee_usd_b")
    assert _more(_arm({"us": "transactional"}, FEW_SEEDS, share), _arm({"us": "status-quo"}, FEW_SEEDS, share))


def test_expand_builds_capacity_and_yield_first_learns():
    expand, learn = {"smic": "expand"}, {"smic": "yield-first"}
    capacity = lambda tl: statistics.fmean(r["smic_advanced_capacity_wpm"] for r in tl)  # noqa: E731
    assert _more(_arm(expand, FEW_SEEDS, capacity), _arm(learn, FEW_SEEDS, capacity))
    assert _more(_arm(learn, FEW_SEEDS, _final("smic_yield")), _arm(expand, FEW_SEEDS, _final("smic_yield")))


def test_aggressive_smugglers_move_more_than_cautious_ones():
    moved = _final("cumulative_smuggled_h100e")
    assert _more(_arm({"smugglers": "aggressive"}, FEW_SEEDS, moved), _arm({"smugglers": "cautious"}, FEW_SEEDS, moved))


def test_export_push_exports_more_and_volume_keeps_chips_home():
    exports = _total("huawei_exports_chips")
    push, default = _arm({"huawei": "export-push"}, FEW_SEEDS, exports), _arm({}, FEW_SEEDS, exports)
    assert _more(push, default)
    assert max(_arm({"huawei": "volume"}, FEW_SEEDS, exports)) == 0.0 < min(default)


def test_self_reliance_buys_domestic_where_pragmatic_buys_nvidia():
    reliant, pragmatic = {"china": "self-reliance"}, {"china": "pragmatic"}
    domestic = _late_mean("china_self_sufficiency")
    assert _more(_arm(reliant, FEW_SEEDS, domestic), _arm(pragmatic, FEW_SEEDS, domestic))
    revenue = _total("nvidia_china_revenue_usd_b")
    assert _more(_arm(pragmatic, FEW_SEEDS, revenue), _arm(reliant, FEW_SEEDS, revenue))


def test_lobbying_hard_earns_more_in_china_and_cools_washington():
    hard, comply = {"nvidia": "lobby-hard"}, {"nvidia": "comply"}
    revenue = _total("nvidia_china_revenue_usd_b")
    assert _more(_arm(hard, FEW_SEEDS, revenue), _arm(comply, FEW_SEEDS, revenue))
    hawkish = _late_mean("us_hawkishness")
    assert _more(_arm(comply, FEW_SEEDS, hawkish), _arm(hard, FEW_SEEDS, hawkish))


def test_aligned_nations_stay_aligned_and_leak_less_than_pivoting_ones():
    aligned, pivot = dict.fromkeys(NATIONS, "align-us"), dict.fromkeys(NATIONS, "pivot-china")
    alignment = lambda tl: statistics.fmean(tl[-1][f"tier2_alignment_{n}"] for n in NATIONS)  # noqa: E731
    assert _more(_arm(aligned, FEW_SEEDS, alignment), _arm(pivot, FEW_SEEDS, alignment))
    moved = _final("cumulative_smuggled_h100e")
    assert _more(_arm(pivot, FEW_SEEDS, moved), _arm(aligned, FEW_SEEDS, moved))


# --- 4. documented -------------------------------------------------------------------------------
def test_docs_describe_every_policy():
    text = (ROOT / "docs" / "policies.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## .*?\(`([a-z0-9-]+)`\)\n(.*?)(?=^## |\Z)", text, re.S | re.M))
    for group, doctrines in LIBRARY.items():
        assert group in sections, f"docs/policies.md has no section for `{group}`"
        for name in doctrines:
            assert f"### `{name}`" in sections[group], f"docs/policies.md does not describe {group}'s `{name}`"
            entry = " ".join(sections[group].split(f"### `{name}`")[1].split("### ")[0].split())
            assert parameters_line(group, name) in entry, f"docs/policies.md: {group}'s `{name}` parameters are stale"
    generic = sections.get("generic", "")
    for name in GENERIC:
        assert f"### `{name}`" in generic, f"docs/policies.md does not describe the generic `{name}`"


def test_dice_roll_alike_from_a_seed_of_any_integer_type_or_from_the_observation():
    """Dice(obs) reads the observation's dice seed only when it first rolls (most phases never do);
    it rolls exactly as Dice(obs.dice_seed), and a numpy integer seed is a seed like any other."""
    import numpy as np

    obs = pickle.loads(_at_phase("us")).observe("us")
    rolls = [(d.chance(0.5, 3), d.jitter(10.0, 0.2, 5))
             for d in (Dice(obs), Dice(obs.dice_seed), Dice(np.int64(obs.dice_seed)), Dice(np.uint64(obs.dice_seed)))]
    assert rolls.count(rolls[0]) == 4
