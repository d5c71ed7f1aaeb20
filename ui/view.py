"""What the shared board shows one viewer: a frozen, pygame-free summary of a GameSession.

`board_view(session, viewer)` is the only door from the game to the board, so the fog of war
is applied here, once, and can be tested headless. The viewer is an actor (that seat's fog:
what its Observation shows, no more), "public" (a projector: public information only) or
"facilitator" (everything true). Rules, per flow on the map:

* Nvidia's sales to China, ASML's China revenue and the Tier-2 hubs' installed US chips are
  public (record keys outside HIDDEN_KEYS, or the change in a hub's public compute stock).
  What Nvidia shipped to a hub before diversion is shown to the facilitator only.
* DUV tools delivered: the seller (ASML), the buyer's bloc and the facilitator.
* HBM from Korea and Huawei's exports: whoever sees the hidden Huawei keys (the China bloc);
  a hub also sees the Chinese chips it received itself.
* Smuggling routes and cloud access: the smugglers and the facilitator. The China bloc sees the
  total it received, derived only from keys it sees the truth of; everyone sees seizures, which
  are public, on the routes where they happened.

Charts follow the same rule: a hidden series is replaced by the viewer's own estimate (what its
observations showed it) or by a public series, and the title says so.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from ui import map_data
from wargame.ids import ACTOR_LABELS, actor_label
from wargame.metrics import CHINA_BLOC
from wargame.model import OBSERVATION, stream
from wargame.moves import parse_move
from wargame.numbers import short_number
from wargame.observation import observe, sees_truth
from wargame.session import GameSession

PUBLIC, FACILITATOR = "public", "facilitator"
SMUGGLERS = "smugglers"
NETWORK = "network"  # the pseudo-place the smuggling networks are drawn at
H100E = "H100e"

VIEWER_NAMES: dict[str, str] = {PUBLIC: "Public view", FACILITATOR: "Facilitator"}
SHORT_NAMES: dict[str, str] = {"us": "US gov", "china": "China gov", "smugglers": "Smugglers"}

# flow kinds in legend order, with the legend's words
FLOW_KINDS: dict[str, str] = {
    "nvidia_export": "Nvidia (legal)",
    "tools": "ASML to China",
    "hbm": "HBM stacks (Korea)",
    "huawei_export": "Huawei exports",
    "smuggling": "Smuggled",
    "seizure": "Seized (public)",
    "cloud": "Cloud (remote)",
}


def actor_name(actor: str) -> str:
    """A seat's (or a place's) name for people: "US government", "Nvidia", "Malaysia"."""
    if actor in VIEWER_NAMES:
        return VIEWER_NAMES[actor]
    if actor in ACTOR_LABELS or actor not in map_data.PLACES:
        return actor_label(actor)
    return map_data.PLACES[actor].name


def short_name(actor: str) -> str:
    """The name on an actor's chip on the map (kept short: chips sit side by side)."""
    return SHORT_NAMES.get(actor, actor_name(actor))


def fmt_number(value: float) -> str:
    """3 significant figures with k/M/B (wargame/numbers.py)."""
    return short_number(value)


def fmt_value(value: float, unit: str) -> str:
    """A number with its unit, as a chart or an arrow label shows it."""
    if unit == "share":
        return f"{100 * value:.0f} %"
    if unit == "ratio":
        return f"{value:.3g}×"
    if unit == "$B":
        return f"${value:.3g}B" if abs(value) < 1000 else f"${fmt_number(value)}B"
    return f"{fmt_number(value)} {unit}"


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    lon: float
    lat: float
    label: str  # side of the dot for the label and chips: n, s, e, w
    actors: tuple[str, ...]  # seats located here, drawn as chips
    hub: bool  # a Tier-2 nation (its own seat is the place)


@dataclass(frozen=True)
class Network:
    """The smuggling networks: not a place, a node at sea linked to the hubs the viewer knows."""

    lon: float
    lat: float
    actors: tuple[str, ...]
    hubs: tuple[str, ...]


@dataclass(frozen=True)
class Flow:
    src: str  # a place id, or NETWORK
    dst: str
    kind: str  # a FLOW_KINDS key
    volume: float
    unit: str
    label: str


@dataclass(frozen=True)
class NewsItem:
    text: str
    kind: str  # "event", "hypothetical", "move" or "secret" (a secret move its mover or the facilitator sees)


@dataclass(frozen=True)
class Series:
    key: str  # the record key plotted, or the derived series' name
    title: str
    note: str  # why this series, when it stands in for a hidden one ("" otherwise)
    unit: str  # "ratio", "share", "$B" or a count unit such as "H100e"
    quarters: tuple[str, ...]
    values: tuple[float | None, ...]  # None: the viewer has no figure for that quarter
    estimate: bool

    @property
    def latest(self) -> float | None:
        return next((v for v in reversed(self.values) if v is not None), None)


@dataclass(frozen=True)
class BoardView:
    viewer: str
    scenario: str
    quarter: str  # the quarter being played (the last one played once the game is over)
    turn: int  # quarters resolved
    turns: int
    over: bool
    actor: str | None  # the seat now ordering
    seat: str | None  # "human" or "bot: <policy>" for that seat
    phase: str
    flows_quarter: str | None  # the quarter the flows and the last chart points belong to
    places: tuple[Place, ...]
    network: Network
    flows: tuple[Flow, ...]
    news: tuple[NewsItem, ...]
    series: tuple[Series, ...]

    @property
    def headline(self) -> str:
        """The banner's line: "2025Q3 · turn 3 of 24 · US government is ordering (human)"."""
        if self.over:
            return f"{self.quarter} · {self.turns} of {self.turns} quarters played · {self.phase}"
        return f"{self.quarter} · turn {self.turn + 1} of {self.turns} · {self.phase}"

    @property
    def viewer_label(self) -> str:
        if self.viewer == FACILITATOR:
            return "Facilitator: all figures true"
        if self.viewer == PUBLIC:
            return "Public view: public figures only"
        return f"Seen by {actor_name(self.viewer)}"

    @property
    def viewer_short(self) -> str:
        if self.viewer in VIEWER_NAMES:
            return VIEWER_NAMES[self.viewer]
        name = actor_name(self.viewer)
        return f"{name}' view" if name.endswith("s") else f"{name}'s view"


def board_view(session: GameSession, viewer: str, seat_labels: dict[str, str] | None = None) -> BoardView:
    """The board as `viewer` may see it now: an actor id, "public" or "facilitator".
    `seat_labels` (actor -> "human" or a policy name) overrides session.seats for the banner.
    Cheap enough to rebuild whenever the table changes (past estimates are cached per session)."""
    if viewer not in (PUBLIC, FACILITATOR) and viewer not in session.actors:
        raise KeyError(f"unknown viewer {viewer!r}; viewers: public, facilitator, {', '.join(session.actors)}")
    _remember_us_intel(session)
    seats = {**session.seats, **(seat_labels or {})}
    actor = session.current_actor
    over = session.is_over
    seat = None if actor is None else ("human" if seats.get(actor) == "human" else f"bot: {seats.get(actor, '?')}")
    phase = "Game over" if over or actor is None else f"{actor_name(actor)} is ordering ({seat})"
    last = session.timeline[-1] if session.timeline else None
    return BoardView(
        viewer=viewer,
        scenario=session.scenario.name,
        quarter=last["quarter"] if over and last else session.quarter,
        turn=session.world.turn,
        turns=session.scenario.turns,
        over=over,
        actor=actor,
        seat=seat,
        phase=phase,
        flows_quarter=last["quarter"] if last else None,
        places=_places(session),
        network=_network(session, viewer),
        flows=_flows(session, viewer),
        news=_news(session, viewer),
        series=_series(session, viewer),
    )


# -- places -------------------------------------------------------------------------------------
def _place(pid: str, actors: tuple[str, ...], hub: bool, spare: int = 0) -> Place:
    spec = map_data.PLACES.get(pid)
    if spec is None:  # a Tier-2 id the map does not know: still shown, in a spare spot
        spec = map_data.spare_spot(spare)
        spec = map_data.PlaceSpec(actor_name(pid), spec.lon, spec.lat, spec.label)
    return Place(pid, spec.name, spec.lon, spec.lat, spec.label, actors, hub)


def _places(session: GameSession) -> tuple[Place, ...]:
    present = set(session.actors)
    core = (("united_states", ("us", "nvidia")), ("china", ("china", "huawei", "smic")), ("netherlands", ("asml",)),
            ("taiwan", ()), ("korea", ()))
    out = [_place(pid, tuple(a for a in actors if a in present), False) for pid, actors in core]
    unknown = 0
    for nation in session.scenario.tier2:
        out.append(_place(nation, (nation,) if nation in present else (), True, unknown))
        unknown += nation not in map_data.PLACES
    return tuple(out)


def _network(session: GameSession, viewer: str) -> Network:
    spec = map_data.NETWORK
    flows = session.model.flows if session.timeline else {}
    if viewer in (FACILITATOR, SMUGGLERS):
        known = {h for h, v in session.world.smugglers.routes.items() if v > 0}
        known |= {h for h, v in flows.get("smuggled_by_hub", {}).items() if v > 0}
    else:
        known = {h for h, v in _seized_by_hub(flows).items() if v > 0}
    hubs = tuple(h for h in session.scenario.tier2 if h in known)
    return Network(spec.lon, spec.lat, (SMUGGLERS,) if SMUGGLERS in session.actors else (), hubs)


# -- flows --------------------------------------------------------------------------------------
MIN_VOLUME = 0.5  # below this an arrow would be a rounding error (and "0 H100e" on the map)


def _seized_by_hub(f: dict) -> dict[str, float]:
    """Seizures per hub: each route shipped its planned volume times one common scale (the
    share of the offer buyers took), and what did not arrive was seized."""
    offer = f.get("smuggle_offer", 0.0)
    if not offer or "smuggled_by_hub" not in f:
        return {}
    scale = min(1.0, (f.get("smuggled", 0.0) + f.get("seized", 0.0)) / offer)
    planned = f.get("smuggle_planned", {})
    return {h: max(0.0, planned.get(h, 0.0) * scale - v) for h, v in f["smuggled_by_hub"].items()}


def _flow(src: str, dst: str, kind: str, volume: float, unit: str = H100E, label: str | None = None) -> Flow | None:
    if volume < MIN_VOLUME:
        return None
    return Flow(src, dst, kind, float(volume), unit, label or fmt_value(volume, unit))


def _flows(session: GameSession, viewer: str) -> tuple[Flow, ...]:
    f, timeline = session.model.flows, session.timeline
    if not f or not timeline:
        return ()
    rec, world = timeline[-1], session.world
    god = viewer == FACILITATOR
    hubs = list(session.scenario.tier2)
    out: list[Flow | None] = [_flow("united_states", "china", "nvidia_export", rec["nvidia_china_sales_h100e"])]

    bought, diverted = f.get("tier2_purchases", {}), f.get("diverted_by_hub", {})
    for hub in hubs:
        sold = bought.get(hub, 0.0)
        out.append(_flow("united_states", hub, "nvidia_export", sold if god else max(0.0, sold - diverted.get(hub, 0.0))))

    if god or viewer in CHINA_BLOC or viewer == "asml":
        tools = f.get("duv_delivered", 0.0)
        out.append(_flow("netherlands", "china", "tools", tools, "DUV tools", f"{tools:.0f} DUV tools"))
    else:
        usd = rec["asml_china_revenue_usd_b"]
        out.append(_flow("netherlands", "china", "tools", usd, "$B", f"${usd:.3g}B ASML sales"))

    if god or sees_truth(viewer, "huawei_hbm_inflow_stacks"):
        inflow = f.get("hbm_inflow", 0.0)  # CXMT's output is domestic; the rest leaked from Korea
        korea = min(inflow, max(0.0, inflow - world.market.cxmt_hbm_stacks))
        out.append(_flow("korea", "china", "hbm", korea, "HBM stacks", f"{fmt_number(korea)} HBM"))

    per_chip = f.get("chip_h100e", 0.0)
    for hub, chips in f.get("huawei_exports_by_nation", {}).items():
        if god or sees_truth(viewer, "huawei_exports_chips") or viewer == hub:
            out.append(_flow("china", hub, "huawei_export", chips * per_chip))

    seized = _seized_by_hub(f)
    if god or viewer == SMUGGLERS:
        for hub, v in f.get("smuggled_by_hub", {}).items():
            out.append(_flow(hub, "china", "smuggling", v))
        out += _cloud(session, rec["cloud_leak_h100e"])
    else:
        if viewer in CHINA_BLOC:
            received = _received(rec, viewer)
            out.append(_flow(NETWORK, "china", "smuggling", received, H100E, f"{fmt_value(received, H100E)} received"))
        for hub, s in seized.items():
            out.append(_flow(hub, "china", "seizure", s, H100E, f"{fmt_number(s)} seized"))
    return tuple(x for x in out if x is not None)


def _cloud(session: GameSession, leak: float) -> list[Flow | None]:
    """Remote access, spread over the hubs that admit Chinese tenants by their rentable stock."""
    tier2 = session.world.tier2
    weight = {h: t.compute_stock_h100e for h, t in tier2.items() if t.admit_chinese_tenants and h in session.scenario.tier2}
    total = sum(weight.values())
    if total <= 0:
        return [_flow(NETWORK, "china", "cloud", leak)]
    return [_flow(h, "china", "cloud", leak * w / total) for h, w in weight.items()]


_RECEIVED_KEYS = ("china_compute_additions_h100e", "china_domestic_additions_h100e", "nvidia_china_sales_h100e",
                  "china_grey_imports_h100e")


def _received(rec: dict, viewer: str) -> float:
    """Smuggled chips China took in, from China's own books: all additions less domestic,
    Nvidia's and grey-market chips. Only for a viewer who sees every one of those keys."""
    if not all(sees_truth(viewer, k) for k in _RECEIVED_KEYS):
        raise PermissionError(f"{viewer} cannot derive China's smuggled imports")
    adds, dom, nv, grey = (rec[k] for k in _RECEIVED_KEYS)
    return max(0.0, adds - dom - nv - grey)


# -- news ---------------------------------------------------------------------------------------
def _words(v: object) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)):
        return fmt_number(v)
    if isinstance(v, str) and (v in ACTOR_LABELS or v in map_data.PLACES):
        return actor_name(v)
    if isinstance(v, list):
        return ", ".join(_words(x) for x in v) or "none"
    return str(v).replace("_", " ")


# a move's amount fields as people write them: (suffix of the field name, format)
_AMOUNTS: tuple[tuple[str, str], ...] = (("usd_m", "${}M"), ("usd_b", "${}B"), ("h100e", "{} H100e"), ("wpm", "{} wafers/month"),
                                         ("mw", "{} MW"))


def _argument(key: str, v: object) -> str:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        for suffix, form in _AMOUNTS:
            if key.endswith(suffix):
                name = key[: -len(suffix)].rstrip("_").replace("_", " ")
                return f"{name} {form.format(fmt_number(v))}".strip()
        if key.endswith("share") or key == "fee":
            return f"{key.replace('_', ' ')} {100 * v:.3g} %"
    return f"{key.replace('_', ' ')} {_words(v)}"


def describe_move(actor: str, move: dict) -> str:
    """"Nvidia: lobby ($2M)": a logged move in words for the ticker."""
    args = ", ".join(_argument(k, v) for k, v in move.items() if k not in ("kind", "actor"))
    what = move["kind"].replace("_", " ")
    return f"{actor_name(actor)}: {what}" + (f" ({args})" if args else "")


def _news(session: GameSession, viewer: str) -> tuple[NewsItem, ...]:
    items = [NewsItem(text, "hypothetical" if text.startswith("Hypothetical") else "event") for text in session.world.news]
    if session.is_over:
        return tuple(items)
    now = session.world.turn + 1
    for entry in session.moves:
        if entry.get("turn") != now or "move" not in entry or entry["move"].get("kind") == "pass":
            continue
        actor = entry["actor"]
        secret = type(parse_move(entry["move"])).secret
        if secret and viewer not in (FACILITATOR, actor):
            continue
        text = describe_move(actor, entry["move"])
        items.append(NewsItem(f"Secret: {text}" if secret else text, "secret" if secret else "move"))
    return tuple(items)


# -- charts -------------------------------------------------------------------------------------
def _truth(viewer: str, key: str) -> bool:
    return viewer == FACILITATOR or sees_truth(viewer, key)


def _series(session: GameSession, viewer: str) -> tuple[Series, ...]:
    tl = session.timeline
    quarters = tuple(r["quarter"] for r in tl)

    def plain(key: str, title: str, unit: str, note: str = "") -> Series:
        return Series(key, title, note, unit, quarters, tuple(float(r[key]) for r in tl), False)

    if _truth(viewer, "us_china_stock_ratio"):
        ratio = plain("us_china_stock_ratio", "US+allies:China AI compute", "ratio")
    elif viewer == PUBLIC:
        ratio = plain("us_compute_stock_h100e", "US+allied AI compute", H100E, "China's compute is secret")
    else:
        china = _china_stock_estimates(session, viewer)
        values = tuple(None if c is None else r["us_compute_stock_h100e"] / max(c, 1.0) for r, c in zip(tl, china, strict=True))
        who = "US intelligence estimate" if viewer == "us" else "analysts' estimate"
        ratio = Series("us_china_stock_ratio", "US+allies:China AI compute", who, "ratio", quarters, values, True)

    if _truth(viewer, "china_self_sufficiency"):
        selfsuff = plain("china_self_sufficiency", "China self-sufficiency", "share", "domestic share of new chips")
    else:
        selfsuff = plain("nvidia_china_share", "Nvidia share in China", "share", "self-sufficiency is secret")

    revenue = plain("nvidia_china_revenue_usd_b", "Nvidia China revenue", "$B", "a quarter")

    if _truth(viewer, "smuggled_h100e"):
        smuggled = plain("smuggled_h100e", "Smuggled into China", H100E, "a quarter, after seizures")
    elif viewer in CHINA_BLOC:
        smuggled = Series("smuggled_received", "Smuggled chips received", "from China's own books", H100E, quarters,
                          tuple(_received(r, viewer) for r in tl), False)
    else:
        smuggled = plain("seized_h100e", "Seizures only (public)", H100E, "smuggled volume is secret")
    return ratio, selfsuff, revenue, smuggled


# The US's estimate of China's stock lives in the US state and changes every quarter, so its
# history is kept here as the board sees it (every quarter it is drawn at least once).
_US_INTEL: weakref.WeakKeyDictionary[GameSession, dict[int, float]] = weakref.WeakKeyDictionary()
# Other seats' past estimates replay exactly; computed once per (viewer, seed, quarter).
_ESTIMATES: weakref.WeakKeyDictionary[GameSession, dict[tuple[str, int, int], float | None]] = weakref.WeakKeyDictionary()


def _remember_us_intel(session: GameSession) -> None:
    if session.timeline:
        _US_INTEL.setdefault(session, {})[session.world.turn] = session.world.us.intel_china_stock_h100e


def _china_stock_estimates(session: GameSession, viewer: str) -> list[float | None]:
    """The viewer's estimate of China's compute stock after each resolved quarter: exactly what
    its Observation showed in the quarter after (the observation dice are keyed by seed, turn and
    seat, so they replay); for the US, its intelligence estimates as the board recorded them."""
    tl, key = session.timeline, "china_compute_stock_h100e"
    if viewer == "us":
        seen = _US_INTEL.get(session, {})
        return [seen.get(k) for k in range(1, len(tl) + 1)]
    idx, p = session.actors.index(viewer), session.model.params
    cache = _ESTIMATES.setdefault(session, {})
    out: list[float | None] = []
    for k in range(1, len(tl) + 1):
        if (viewer, session.seed, k) not in cache:
            rng = stream(session.seed, OBSERVATION, k, idx)
            obs = observe(session.world, p, viewer, tl[k - 1], [], rng, tl[k - 1]["quarter"])
            cache[viewer, session.seed, k] = obs.estimates.get(key)
        out.append(cache[viewer, session.seed, k])
    return out
