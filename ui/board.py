"""The shared table view: the map with its places, actors and flows, the banner and the news ticker.

Everything is drawn from a `BoardView` (ui/view.py), so the fog of war is already applied: this
module only decides where things go. Two caches keep a frame cheap: the coastlines are drawn
once per frame size, and the map's geometry (arrow shapes, where each label fits) once per view
and size. The text itself is drawn through theme.text every frame, so its log stays complete.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pygame

from ui import theme
from ui.charts import draw_charts
from ui.map_data import LAND, SEAS, VIEW_BOX, Projection
from ui.view import FLOW_KINDS, H100E, NETWORK, BoardView, Flow, Place, short_name

Point = tuple[float, float]

FLOW_COLOURS: dict[str, tuple[int, int, int]] = {
    "nvidia_export": theme.actor_colour("nvidia"),
    "tools": theme.actor_colour("asml"),
    "hbm": (240, 220, 110),
    "huawei_export": theme.actor_colour("huawei"),
    "smuggling": theme.actor_colour("smugglers"),
    "seizure": (255, 110, 110),
    "cloud": (225, 225, 240),
}
DASHED = ("seizure", "cloud")
# how far each kind's arrow bows to the left of its direction (a share of its length): arrows
# between the same two places (smuggling and cloud from one hub) then take different paths
BEND: dict[str, float] = {"nvidia_export": -0.10, "tools": 0.12, "hbm": 0.25, "huawei_export": -0.5, "smuggling": 0.2,
                          "seizure": 0.2, "cloud": -0.3}
# unit weights so that widths compare across units (roughly H100e of value)
UNIT_WEIGHT: dict[str, float] = {H100E: 1.0, "HBM stacks": 1 / 8, "DUV tools": 3000.0, "$B": 20000.0}
CHIP_SIZE = theme.SIZE_SMALL
LABEL_BG = (12, 16, 22)
# where along an arrow its label is tried first: the middle, or nearer the source for arrows
# into China, where every flow arrives
LABEL_MIDDLE = (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74)
LABEL_NEAR_SOURCE = (0.3, 0.22, 0.38, 0.46, 0.14, 0.54, 0.62)
# steps (in label widths and heights) around a point, nearest first, for a label's free spot
_STEPS = sorted({(i, j) for i in range(-3, 4) for j in range(-3, 4)}, key=lambda ij: (max(abs(ij[0]), abs(ij[1])), abs(ij[0]) + abs(ij[1])))

_backgrounds: dict[tuple[int, int], pygame.Surface] = {}


# -- the static map -----------------------------------------------------------------------------
def _background(size: tuple[int, int]) -> pygame.Surface:
    """Sea, a faint graticule, land and inland seas for one frame size (drawn once)."""
    bg = _backgrounds.get(size)
    if bg is not None:
        return bg
    w, h = size
    proj = Projection(w, h)
    bg = pygame.Surface(size)
    if pygame.display.get_surface() is not None:
        bg = bg.convert()
    bg.fill(theme.SEA)
    grid = tuple(min(255, c + 8) for c in theme.SEA)
    for lon in range(-180, 181, 30):
        x = proj.xy(lon, 0)[0]
        pygame.draw.line(bg, grid, (x, 0), (x, h))
    for lat in range(-60, 91, 30):
        y = proj.xy(0, lat)[1]
        pygame.draw.line(bg, grid, (0, y), (w, y))
    for shapes, fill in ((LAND, theme.LAND), (SEAS, theme.SEA)):
        for outline in shapes.values():
            pts = [proj.xy(lon, lat) for lon, lat in outline]
            pygame.draw.polygon(bg, fill, pts)
            pygame.draw.aalines(bg, theme.LAND_EDGE, True, pts)
    if proj.pinned:  # the strip for places west of the frame: shaded, with an edge
        shade = pygame.Surface((proj.strip, h), pygame.SRCALPHA)
        shade.fill((*theme.BG, 170))
        bg.blit(shade, (0, 0))
        pygame.draw.line(bg, theme.PANEL_EDGE, (proj.strip, 0), (proj.strip, h), 2)
    if len(_backgrounds) > 8:  # a window resized many times: keep the cache small
        _backgrounds.clear()
    _backgrounds[size] = bg
    return bg


# -- geometry -----------------------------------------------------------------------------------
def _bezier(a: Point, c: Point, b: Point, n: int = 28) -> list[Point]:
    out = []
    for i in range(n + 1):
        t = i / n
        u = 1 - t
        out.append((u * u * a[0] + 2 * u * t * c[0] + t * t * b[0], u * u * a[1] + 2 * u * t * c[1] + t * t * b[1]))
    return out


def _ribbon(pts: list[Point], width: float) -> list[Point]:
    """A thick line as one polygon: each point pushed out half the width on both sides."""
    left, right = [], []
    for i, (x, y) in enumerate(pts):
        x0, y0 = pts[max(0, i - 1)]
        x1, y1 = pts[min(len(pts) - 1, i + 1)]
        dx, dy = x1 - x0, y1 - y0
        n = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / n * width / 2, dx / n * width / 2
        left.append((x + nx, y + ny))
        right.append((x - nx, y - ny))
    return left + right[::-1]


def _cut(pts: list[Point], spans: list[tuple[float, float]]) -> list[list[Point]]:
    """The pieces of a polyline between the given (from, to) distances along it."""
    pieces: list[list[Point]] = [[] for _ in spans]
    run = 0.0
    for a, b in zip(pts, pts[1:], strict=False):
        s = math.dist(a, b)
        if s <= 0:
            continue
        for piece, (lo, hi) in zip(pieces, spans, strict=True):
            lo_, hi_ = max(lo, run), min(hi, run + s)
            if hi_ > lo_:
                t0, t1 = (lo_ - run) / s, (hi_ - run) / s
                if not piece:
                    piece.append((a[0] + (b[0] - a[0]) * t0, a[1] + (b[1] - a[1]) * t0))
                piece.append((a[0] + (b[0] - a[0]) * t1, a[1] + (b[1] - a[1]) * t1))
        run += s
    return [p for p in pieces if len(p) >= 2]


def _length(pts: list[Point]) -> float:
    return sum(math.dist(a, b) for a, b in zip(pts, pts[1:], strict=False))


def _trim(pts: list[Point], start: float, end: float) -> list[Point]:
    """The polyline without its first `start` and last `end` pixels of length."""
    total = _length(pts)
    if total <= start + end + 1:
        return []
    pieces = _cut(pts, [(start, total - end)])
    return pieces[0] if pieces else []


def flow_width(flow: Flow, scale: float = 1.0) -> float:
    """Arrow width in pixels: logarithmic in volume so 5k and 500k H100e both read."""
    v = flow.volume * UNIT_WEIGHT.get(flow.unit, 1.0)
    return max(2.0, min(12.0, 2.0 + 2.4 * math.log10(1.0 + v / 2000.0))) * scale


def _arrow_shapes(pts: list[Point], width: float, dashed: bool) -> tuple[list[list[Point]], list[Point]]:
    """The arrow's body (one ribbon, or one per dash) and its head, as polygons."""
    head_len, head_half = 2.2 * width + 7, 1.3 * width + 4
    total = _length(pts)
    body_end = max(0.0, total - head_len * 0.8)
    if dashed:
        spans, at = [], 0.0
        while at < body_end:
            spans.append((at, min(body_end, at + 12.0)))
            at += 20.0
    else:
        spans = [(0.0, body_end)]
    body = [_ribbon(piece, width) for piece in _cut(pts, spans)]
    tip = pts[-1]
    back = _trim(pts, 0, head_len)
    base = back[-1] if back else pts[0]
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    n = math.hypot(dx, dy) or 1.0
    ux, uy = dx / n, dy / n
    bx, by = tip[0] - ux * head_len, tip[1] - uy * head_len
    return body, [tip, (bx - uy * head_half, by + ux * head_half), (bx + uy * head_half, by - ux * head_half)]


def _path(a: Point, b: Point, bend: float, gap: float) -> list[Point]:
    """A gentle curve from a to b, stopping `gap` pixels short of both places' dots."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    d = math.hypot(dx, dy) or 1.0
    c = ((a[0] + b[0]) / 2 + dy / d * bend * d, (a[1] + b[1]) / 2 - dx / d * bend * d)
    pts = _bezier(a, c, b)
    return _trim(pts, gap, gap) or pts


# -- chips and labels ---------------------------------------------------------------------------
def _chip_rect(actor: str) -> pygame.Rect:
    w, h = theme.font(CHIP_SIZE, True).size(short_name(actor))
    return pygame.Rect(0, 0, w + 10, h + 4)


def _chip(surface: pygame.Surface, actor: str, r: pygame.Rect) -> None:
    """An actor's badge: its name on its colour."""
    pygame.draw.rect(surface, theme.actor_colour(actor), r, border_radius=5)
    pygame.draw.rect(surface, theme.BG, r, 1, border_radius=5)
    theme.text(surface, short_name(actor), r.center, CHIP_SIZE, theme.BG, bold=True, anchor="center")


def _label_rect(s: str, size: int = theme.SIZE_SMALL) -> pygame.Rect:
    w, h = theme.font(size).size(s)
    return pygame.Rect(0, 0, w + 8, h + 2)


def _label(surface: pygame.Surface, s: str, r: pygame.Rect, border=None, size: int = theme.SIZE_SMALL) -> None:
    """Text on a dark pill, readable over land, sea and arrows alike."""
    pygame.draw.rect(surface, LABEL_BG, r, border_radius=4)
    if border is not None:
        pygame.draw.rect(surface, border, r, 1, border_radius=4)
    theme.text(surface, s, r.center, size, theme.TEXT, anchor="center")


def map_label(flow: Flow) -> str:
    """The arrow's label on the map: chip volumes without their unit (the legend names it)."""
    return flow.label.replace(f" {H100E}", "") if flow.unit == H100E else flow.label


_OPPOSITE = {"n": "s", "s": "n", "e": "w", "w": "e"}
_SIDE_ANCHOR = {"n": "midbottom", "s": "midtop", "e": "midleft", "w": "midright"}


def _place_layout(place: Place, x: int, y: int, side: str) -> list[tuple[str, pygame.Rect]]:
    """The place's name and chips around its dot on one side: ("name" | actor, rect) pairs.
    A Tier-2 nation is its own seat, so its chip is its label."""
    pos = {"n": (x, y - 8), "s": (x, y + 8), "e": (x + 9, y), "w": (x - 9, y)}[side]
    if place.hub:
        r = _chip_rect(place.actors[0]) if place.actors else _label_rect(place.name)
        setattr(r, _SIDE_ANCHOR[side], pos)
        return [(place.actors[0] if place.actors else "name", r)]
    name = _label_rect(place.name)
    setattr(name, _SIDE_ANCHOR[side], pos)
    out = [("name", name)]
    chips = [_chip_rect(a) for a in place.actors]
    total = sum(c.w for c in chips) + 4 * max(0, len(chips) - 1)
    cx = {"n": x - total // 2, "s": x - total // 2, "e": name.left, "w": name.right - total}[side]
    for actor, c in zip(place.actors, chips, strict=True):
        if side == "n":
            c.bottomleft = (cx, name.top - 3)
        else:
            c.topleft = (cx, name.bottom + 3)
        out.append((actor, c))
        cx = c.right + 4
    return out


def _fit_place(place: Place, x: int, y: int, bounds: pygame.Rect) -> list[tuple[str, pygame.Rect]]:
    """The layout on the place's own side, or the other side near an edge, else nudged in."""
    layout = _place_layout(place, x, y, place.label)
    box = layout[0][1].unionall([r for _, r in layout])
    if bounds.contains(box):
        return layout
    flipped = _place_layout(place, x, y, _OPPOSITE[place.label])
    fbox = flipped[0][1].unionall([r for _, r in flipped])
    if bounds.contains(fbox):
        return flipped
    inside = box.clamp(bounds)
    return [(k, r.move(inside.x - box.x, inside.y - box.y)) for k, r in layout]


def _free_spot(pts: list[Point], size: tuple[int, int], occupied: list[pygame.Rect], bounds: pygame.Rect,
               order: tuple[float, ...]) -> tuple[pygame.Rect, tuple[int, int]]:
    """Where near the arrow its label collides with nothing placed so far: along the arrow in
    `order`, then stepping out around each point. Returns the spot and the arrow point it labels."""
    w, h = size
    n = len(pts) - 1
    r = pygame.Rect(0, 0, w, h)
    anchors = [(int(pts[round(t * n)][0]), int(pts[round(t * n)][1])) for t in order]
    for ring in range(4):
        for p in anchors:
            for i, j in _STEPS:
                if max(abs(i), abs(j)) != ring:
                    continue
                r.center = (p[0] + i * (w // 2 + 4), p[1] + j * (h + 3))
                if bounds.contains(r) and r.collidelist(occupied) < 0:
                    return r.copy(), p
    p = (int(pts[n // 2][0]), int(pts[n // 2][1]))
    r.center = p
    return r.clamp(bounds), p


def _bounds(points: list[Point]) -> pygame.Rect:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return pygame.Rect(int(min(xs)), int(min(ys)), int(max(xs) - min(xs)) + 1, int(max(ys) - min(ys)) + 1)


def _nearest_edge(r: pygame.Rect, p: tuple[int, int]) -> tuple[int, int]:
    return (max(r.left, min(p[0], r.right - 1)), max(r.top, min(p[1], r.bottom - 1)))


# -- the map ------------------------------------------------------------------------------------
def place_positions(rect: pygame.Rect, view: BoardView) -> dict[str, Point]:
    """Screen position of every place (and of the smuggling network) for this frame."""
    proj = Projection(rect.w, rect.h)
    out = {}
    for p in view.places:
        x, y = proj.place_xy(p.lon, p.lat)
        out[p.id] = (rect.x + x, rect.y + y)
    x, y = proj.place_xy(view.network.lon, view.network.lat)
    out[NETWORK] = (rect.x + x, rect.y + y)
    return out


@dataclass
class _Plan:
    """Where everything on the map goes for one view at one size."""

    links: list[tuple[Point, Point]] = field(default_factory=list)
    arrows: list[tuple[tuple[int, int, int], list[list[Point]], list[Point], bool]] = field(default_factory=list)
    dots: list[tuple[tuple[int, int], bool]] = field(default_factory=list)
    places: list[tuple[Place, list[tuple[str, pygame.Rect]]]] = field(default_factory=list)
    network: tuple[tuple[int, int], pygame.Rect | None] = ((0, 0), None)
    labels: list[tuple[str, pygame.Rect, tuple[int, int, int], tuple[int, int] | None]] = field(default_factory=list)
    legend: pygame.Rect = field(default_factory=pygame.Rect)


_plans: dict[tuple[BoardView, tuple[int, int, int, int]], _Plan] = {}


def _plan(rect: pygame.Rect, view: BoardView) -> _Plan:
    """Keyed by the view's value, so a view rebuilt unchanged reuses its plan."""
    key = (view, tuple(rect))
    plan = _plans.get(key)
    if plan is None:
        plan = _make_plan(rect, view)
        if len(_plans) > 16:  # a view per seat and size is plenty
            _plans.clear()
        _plans[key] = plan
    return plan


def _make_plan(rect: pygame.Rect, view: BoardView) -> _Plan:
    plan = _Plan()
    at = place_positions(rect, view)
    scale = max(0.7, min(1.3, rect.w / 1280))
    bounds = rect.inflate(-4, -4)
    net = at[NETWORK]
    for hub in view.network.hubs:
        pts = _trim([net, at[hub]], 8, 8)
        if len(pts) >= 2:
            plan.links.append((pts[0], pts[-1]))

    paths = []
    drawn: list[Flow] = []
    for flow in sorted(view.flows, key=lambda f: -flow_width(f)):  # thin arrows on top of thick ones
        if flow.src not in at or flow.dst not in at:
            continue
        # arrows of one kind from neighbouring places (Malaysia and Singapore) fan out, not merge
        twins = sum(1 for d in drawn if d.kind == flow.kind and d.dst == flow.dst and math.dist(at[d.src], at[flow.src]) < 40)
        bend = BEND.get(flow.kind, 0.15)
        pts = _path(at[flow.src], at[flow.dst], bend + math.copysign(0.16 * twins, bend), 9)
        drawn.append(flow)
        body, head = _arrow_shapes(pts, flow_width(flow, scale), flow.kind in DASHED)
        plan.arrows.append((FLOW_COLOURS[flow.kind], body, head, flow.kind in DASHED))
        paths.append((flow, pts))

    plan.legend = _legend_rect(rect, view)
    # labels never cover an arrowhead, so every arrow's direction stays visible
    occupied: list[pygame.Rect] = [plan.legend] + [_bounds(head) for _, _, head, _ in plan.arrows]
    for place in view.places:
        x, y = int(at[place.id][0]), int(at[place.id][1])
        plan.dots.append(((x, y), place.hub))
        occupied.append(pygame.Rect(x - 6, y - 6, 12, 12))
        layout = _fit_place(place, x, y, bounds)
        plan.places.append((place, layout))
        occupied += [r for _, r in layout]
    chip = None
    if view.network.actors:
        chip = _chip_rect(view.network.actors[0])
        chip.midtop = (int(net[0]), int(net[1]) + 10)
        chip = chip.clamp(bounds)
        occupied.append(chip)
    plan.network = ((int(net[0]), int(net[1])), chip)

    for flow, pts in sorted(paths, key=lambda fp: -fp[0].volume):
        text = map_label(flow)
        r = _label_rect(text)
        order = LABEL_NEAR_SOURCE if flow.dst == "china" else LABEL_MIDDLE
        spot, anchor = _free_spot(pts, r.size, occupied, bounds, order)
        leader = None if spot.inflate(6, 6).collidepoint(anchor) else anchor  # moved off its arrow: a leader line
        plan.labels.append((text, spot, FLOW_COLOURS[flow.kind], leader))
        occupied.append(spot)
    return plan


def draw_map(surface: pygame.Surface, rect: pygame.Rect, view: BoardView) -> None:
    """Sea and land, the smuggling network's links, the flows as arrows, the places with their
    actors' chips, a label on every arrow (placed where it covers no other label) and a legend."""
    rect = pygame.Rect(rect)
    surface.blit(_background(rect.size), rect.topleft)
    plan = _plan(rect, view)
    clip = surface.get_clip()
    surface.set_clip(rect.clip(clip))
    try:
        smug = theme.actor_colour("smugglers")
        for a, b in plan.links:
            _dashed_line(surface, smug, a, b)
        for colour, body, head, dashed in plan.arrows:
            for poly in body:
                pygame.draw.polygon(surface, colour, poly)
                if not dashed:
                    pygame.draw.aalines(surface, colour, True, poly)
            pygame.draw.polygon(surface, colour, head)
            pygame.draw.aalines(surface, colour, True, head)
        _draw_legend(surface, plan.legend, view, rect.h)
        for (x, y), hub in plan.dots:
            pygame.draw.circle(surface, theme.BG, (x, y), 6)
            pygame.draw.circle(surface, theme.NEUTRAL if hub else theme.TEXT, (x, y), 4)
        for place, layout in plan.places:
            for what, r in layout:
                if what == "name":
                    _label(surface, place.name, r)
                else:
                    _chip(surface, what, r)
        (nx, ny), chip = plan.network
        pygame.draw.circle(surface, smug, (nx, ny), 7, 2)
        if chip is not None:
            _chip(surface, view.network.actors[0], chip)
        for text, spot, colour, leader in plan.labels:
            if leader is not None:
                pygame.draw.line(surface, colour, leader, _nearest_edge(spot, leader), 1)
            _label(surface, text, spot, border=colour)
    finally:
        surface.set_clip(clip)


def _dashed_line(surface, colour, a: Point, b: Point, dash: float = 6.0, gap: float = 6.0) -> None:
    d = math.dist(a, b)
    if d <= 0:
        return
    ux, uy = (b[0] - a[0]) / d, (b[1] - a[1]) / d
    at = 0.0
    while at < d:
        end = min(d, at + dash)
        pygame.draw.line(surface, colour, (a[0] + ux * at, a[1] + uy * at), (a[0] + ux * end, a[1] + uy * end), 2)
        at += dash + gap


def _legend_lines(view: BoardView, height: int) -> tuple[str, list[str], list[str]]:
    kinds = [k for k in FLOW_KINDS if any(f.kind == k for f in view.flows)]
    title = f"Flows in {view.flows_quarter}" if view.flows_quarter else "No flows yet"
    notes = ["chips in H100e", "width: log volume"] if kinds else ["until a quarter", "resolves"]
    return title, kinds, notes if height >= 400 else notes[:1]


def _legend_rect(rect: pygame.Rect, view: BoardView) -> pygame.Rect:
    """Bottom-left of the map: the Pacific in a wide frame, under the pinned places in a narrow one."""
    title, kinds, notes = _legend_lines(view, rect.h)
    f = theme.font(theme.SIZE_SMALL)
    line = f.get_linesize() + 1
    width = max([f.size(FLOW_KINDS[k])[0] + 34 for k in kinds] + [theme.font(theme.SIZE_SMALL, True).size(title)[0]]
                + [f.size(n)[0] for n in notes]) + 14
    box = pygame.Rect(rect.x + 5, 0, min(width, rect.w - 10), line * (1 + len(kinds) + len(notes)) + 8)
    box.bottom = rect.bottom - 5
    return box


def _draw_legend(surface: pygame.Surface, box: pygame.Rect, view: BoardView, height: int) -> None:
    title, kinds, notes = _legend_lines(view, height)
    line = theme.font(theme.SIZE_SMALL).get_linesize() + 1
    pygame.draw.rect(surface, theme.PANEL, box, border_radius=6)
    pygame.draw.rect(surface, theme.PANEL_EDGE, box, 1, border_radius=6)
    x, y, inner = box.x + 7, box.y + 4, box.w - 14
    theme.text(surface, title, (x, y), theme.SIZE_SMALL, theme.ACCENT, bold=True, max_width=inner)
    y += line
    for k in kinds:
        c = FLOW_COLOURS[k]
        mid = y + line // 2 - 1
        if k in DASHED:
            _dashed_line(surface, c, (x, mid), (x + 22, mid), 5, 4)
        else:
            pygame.draw.line(surface, c, (x, mid), (x + 22, mid), 4)
        theme.text(surface, FLOW_KINDS[k], (x + 29, y), theme.SIZE_SMALL, theme.TEXT, max_width=inner - 29)
        y += line
    for note in notes:
        theme.text(surface, note, (x, y), theme.SIZE_SMALL, theme.MUTED, max_width=inner)
        y += line


# -- banner and ticker --------------------------------------------------------------------------
def draw_banner(surface: pygame.Surface, rect: pygame.Rect, view: BoardView) -> None:
    """Quarter, turn and who is ordering, large enough to read from the back of a room; whose
    eyes the board shows on the right (a shorter form when the line is long)."""
    rect = pygame.Rect(rect)
    pygame.draw.rect(surface, theme.PANEL, rect)
    pygame.draw.line(surface, theme.PANEL_EDGE, rect.bottomleft, (rect.right - 1, rect.bottom - 1))
    big = theme.SIZE_TITLE if rect.h >= 48 else theme.SIZE_HEAD
    turn = f"  ·  {view.turns} of {view.turns} quarters played  ·  " if view.over else \
        f"  ·  turn {view.turn + 1} of {view.turns}  ·  "
    parts = [(view.quarter, big, theme.ACCENT, True), (turn, theme.SIZE_HEAD, theme.TEXT, False),
             (view.phase, theme.SIZE_HEAD, theme.actor_colour(view.actor) if view.actor else theme.ACCENT, True)]
    label = view.viewer_label
    for step in range(3):  # too long: the viewer's shorter form, then a smaller phase
        needed = sum(theme.font(size, bold).size(s)[0] for s, size, _, bold in parts) + 28
        if needed + theme.font(theme.SIZE_BODY).size(label)[0] + 24 <= rect.w:
            break
        if step == 0:
            label = view.viewer_short
        else:
            parts[2] = (parts[2][0], theme.SIZE_BODY, parts[2][2], True)
    mid = rect.centery
    colour = theme.ESTIMATE if view.viewer not in ("public", "facilitator") else theme.MUTED
    right = theme.text(surface, label, (rect.right - 14, mid), theme.SIZE_BODY, colour, anchor="midright", max_width=rect.w // 3)
    x, limit = rect.x + 14, right.left - 24
    for s, size, c, bold in parts:
        if x > limit - 40:
            break
        x = theme.text(surface, s, (x, mid), size, c, bold=bold, anchor="midleft", max_width=limit - x).right


TICKER_SPEED = 90  # pixels a second: slow enough to read on a projector
TICKER_SEP = "     •     "
NEWS_COLOURS = {"event": theme.TEXT, "hypothetical": theme.ACCENT, "move": (200, 212, 228), "secret": theme.BAD}


def draw_ticker(surface: pygame.Surface, rect: pygame.Rect, view: BoardView, t_ms: int) -> None:
    """One line of this quarter's news and public moves, scrolling right to left with time
    (still when it all fits)."""
    rect = pygame.Rect(rect)
    pygame.draw.rect(surface, theme.PANEL, rect)
    pygame.draw.line(surface, theme.PANEL_EDGE, rect.topleft, (rect.right - 1, rect.top))
    tag = theme.text(surface, "NEWS", (rect.x + 12, rect.centery), theme.SIZE_BODY, theme.ACCENT, bold=True, anchor="midleft")
    lane = pygame.Rect(tag.right + 12, rect.y, rect.right - tag.right - 20, rect.h)
    if lane.w <= 0:
        return
    clip = surface.get_clip()
    surface.set_clip(lane.clip(clip))
    try:
        if not view.news:
            quiet = f"No news in {view.quarter}" if view.over else f"No news yet in {view.quarter}"
            theme.text(surface, quiet, (lane.x, lane.centery), theme.SIZE_BODY, theme.MUTED, anchor="midleft", max_width=lane.w)
            return
        f = theme.font(theme.SIZE_BODY)
        sep = f.size(TICKER_SEP)[0]
        widths = [f.size(item.text)[0] for item in view.news]
        total = sum(widths) + sep * len(widths)
        scrolling = total - sep > lane.w
        x = lane.x - (t_ms * TICKER_SPEED // 1000) % total if scrolling else lane.x
        while x < lane.right:
            for item, w in zip(view.news, widths, strict=True):
                if x + w > lane.x and x < lane.right:
                    theme.text(surface, item.text, (x, lane.centery), theme.SIZE_BODY, NEWS_COLOURS[item.kind], anchor="midleft")
                x += w
                if x < lane.right and x + sep > lane.x and (scrolling or item is not view.news[-1]):
                    theme.text(surface, TICKER_SEP, (x, lane.centery), theme.SIZE_BODY, theme.MUTED, anchor="midleft")
                x += sep
                if x >= lane.right:
                    break
            if not scrolling:
                break
    finally:
        surface.set_clip(clip)


# -- the whole board ----------------------------------------------------------------------------
def board_layout(rect: pygame.Rect) -> dict[str, pygame.Rect]:
    """Banner on top, ticker at the bottom, the map across the middle and the charts below it."""
    rect = pygame.Rect(rect)
    banner_h = 56 if rect.h >= 700 else 48
    ticker_h = 40 if rect.h >= 700 else 36
    banner = pygame.Rect(rect.x, rect.y, rect.w, banner_h)
    ticker = pygame.Rect(rect.x, rect.bottom - ticker_h, rect.w, ticker_h)
    middle_h = ticker.top - banner.bottom
    lon0, lon1, lat0, lat1 = VIEW_BOX
    map_h = int(min(middle_h * 0.7, rect.w * (lat1 - lat0) / (lon1 - lon0)))
    map_rect = pygame.Rect(rect.x, banner.bottom, rect.w, map_h)
    charts = pygame.Rect(rect.x, map_rect.bottom, rect.w, ticker.top - map_rect.bottom)
    return {"banner": banner, "map": map_rect, "charts": charts, "ticker": ticker}


def draw_board(surface: pygame.Surface, rect: pygame.Rect, view: BoardView, t_ms: int) -> dict[str, pygame.Rect]:
    """The full table view (a projector's screen); returns the layout it used."""
    parts = board_layout(rect)
    pygame.draw.rect(surface, theme.BG, rect)
    draw_map(surface, parts["map"], view)
    draw_charts(surface, parts["charts"].inflate(-8, -8), view)
    draw_banner(surface, parts["banner"], view)
    draw_ticker(surface, parts["ticker"], view, t_ms)
    return parts
