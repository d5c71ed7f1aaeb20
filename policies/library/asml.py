"""ASML doctrines (with the Dutch government's licences): max-sales, compliant.

ASML sees its own licence regime and books, Washington's public state (hawkishness, listings)
and Washington's public moves of this quarter, including pressure on the Netherlands.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies.doctrine import Dice
from policies.library.common import differs, public_moves
from wargame import moves as mv
from wargame.moves import AnyMove
from wargame.observation import Observation

# Immersion tools a quarter the Dutch licences allow at each level 0-3 (the baseline's
# duv_cap_by_level, A2); a scenario with other caps is still held to its own by the legal bounds.
LICENCE_CAP_BY_LEVEL = (20.0, 12.0, 8.0, 0.0)


def pressed(obs: Observation) -> bool:
    """Washington pressed the Netherlands this quarter."""
    return any(m.get("ally") == "netherlands" for m in public_moves(obs, "us", "pressure_ally"))


@dataclass(frozen=True)
class MaxSales:
    """Max sales (the view that the licences, not the firm, should set the limits on a large market):
    ASML sells every tool the Dutch licences allow, keeps servicing the installed fleet in full for
    as long as it may, and lobbies The Hague at `lobby_usd_m` a quarter, the game's maximum, against
    each further tightening."""

    lobby_usd_m: float = 2.0

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        cap = LICENCE_CAP_BY_LEVEL[me["dutch_restriction"]]
        out: list[AnyMove] = []
        if differs(cap, me["duv_sales_cap"], 0.01):
            out.append(mv.SetDUVSales(tools=cap))
        if me["servicing"] != "full":
            out.append(mv.SetServicing(level="full"))
        if differs(self.lobby_usd_m, me["lobby_usd_m"], 0.05):
            out.append(mv.LobbyHague(usd_m=self.lobby_usd_m))
        return out


@dataclass(frozen=True)
class Compliant:
    """Compliant: stay clear of Washington's displeasure and of the next rule. ASML sells only
    `restraint` of what the licences allow while Washington is hawkish (above `hawkishness`) or has
    pressed the Netherlands this quarter, the full licensed amount otherwise; it limits servicing in
    China in the same circumstances, and spends nothing lobbying The Hague."""

    restraint: float = 0.5
    hawkishness: float = 0.6

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        wary = pressed(obs) or obs.public["us"]["hawkishness"] > self.hawkishness
        cap = LICENCE_CAP_BY_LEVEL[me["dutch_restriction"]] * (self.restraint if wary else 1.0)
        out: list[AnyMove] = []
        if differs(cap, me["duv_sales_cap"], 0.01):
            out.append(mv.SetDUVSales(tools=cap))
        servicing = "limited" if wary else "full"
        if servicing != me["servicing"]:
            out.append(mv.SetServicing(level=servicing))
        if me["lobby_usd_m"] > 0:
            out.append(mv.LobbyHague(usd_m=0.0))
        return out


DOCTRINES = {
    "max-sales": (MaxSales(), "sell every licensed tool, service in full, lobby The Hague at the maximum"),
    "compliant": (Compliant(), "sell half the licensed tools and limit servicing while Washington is hawkish; no lobbying"),
}
