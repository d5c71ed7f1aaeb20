"""Nvidia doctrines: lobby-hard, comply, china-sku.

Nvidia sees its own books, the public state of the others (Washington's threshold, revenue
share and hawkishness, Beijing's stance on foreign chips, Huawei's Ascend generation), the
public moves made before it this quarter and the news of licence decisions.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies.doctrine import ASCEND_H100E, CHIP_CLASS_H100E, Dice, nvidia_plan
from policies.library.common import differs, in_news, last, merge, us_tightened_now
from wargame import moves as mv
from wargame.moves import AnyMove
from wargame.observation import Observation
from wargame.state import THRESHOLDS

# China's foreign-chip stance -> the share of China's demand analysts expect a permitted chip to win
EXPECTED_SHARE = {"open": 0.5, "guidance": 0.25, "state_dc_domestic": 0.15, "full_ban": 0.0}


def _output(obs: Observation) -> float:
    return last(obs, "us_ai_chip_output_h100e", 0.0) / 1.3  # Nvidia's part of US output


def wanted_share(obs: Observation, ceiling: float) -> float:
    """The share of output to make for China: enough for the larger of last quarter's sales grown
    a little and the share of China's estimated demand a permitted chip can expect, net of stock on
    hand, up to `ceiling`."""
    me = obs.own
    output = _output(obs)
    if output <= 0:
        return me["china_supply_share"]
    expect = EXPECTED_SHARE[obs.public["china"]["foreign_chip_policy"]]
    want = max(1.3 * last(obs, "nvidia_china_sales_h100e"), expect * obs.estimates.get("china_demand_h100e", 0.0))
    want -= 0.5 * me["unsold_china_inventory_h100e"]
    return min(ceiling, max(0.0, want) / output)


def _allocate(obs: Observation, share: float, tier2: float = 0.1) -> list[AnyMove]:
    me = obs.own
    if differs(share, me["china_supply_share"]) or differs(tier2, me["tier2_supply_share"]):
        return [mv.AllocateSupply(china_share=share, tier2_share=tier2)]
    return []


def _request(obs: Observation) -> list[AnyMove]:
    me = obs.own
    if me["china_chip"] != "none" and me["licensed_level"] != me["china_chip"] and not me["licence_pending"]:
        return [mv.RequestLicence()]
    return []


@dataclass(frozen=True)
class LobbyHard:
    """Lobby hard (the argument that China's market funds the research that keeps CUDA the world
    standard): fight for that market in Washington. Nvidia spends `lobby_usd_m` a quarter on
    lobbying, the game's maximum `alarm_lobby_usd_m` whenever Washington tightens or denies a
    licence, designs the best chip the rules allow and asks for its licence again as soon as it may,
    commits up to `ceiling` of its output to China even when Washington takes a revenue share, and
    prices a little under list (`price`) to keep Chinese buyers from switching to the Ascend."""

    lobby_usd_m: float = 1.2
    alarm_lobby_usd_m: float = 2.0
    ceiling: float = 0.3
    price: float = 0.9

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        alarm = us_tightened_now(obs) or in_news(obs, "The US denies Nvidia's China licence")
        lobby = self.alarm_lobby_usd_m if alarm else self.lobby_usd_m
        out: list[AnyMove] = []
        if differs(lobby, me["lobby_usd_m"], 0.05):
            out.append(mv.Lobby(usd_m=lobby))
        out += _request(obs)
        out += _allocate(obs, wanted_share(obs, self.ceiling))
        if differs(self.price, me["price_multiplier"], 0.02):
            out.append(mv.SetChinaPrice(multiplier=self.price))
        return merge(out, nvidia_plan(obs, dice), drop=("lobby", "allocate_supply", "set_china_price"))


@dataclass(frozen=True)
class Comply:
    """Comply: stay well inside the rules and keep China a small, low-risk business. Nvidia does not
    lobby, designs its China chip one class under the threshold (a margin against the next
    tightening; the H20 class at least), and withdraws from China (no supply, no licence requests)
    while Washington's hawkishness is above `withdraw_hawkishness` or the threshold bans every
    class; otherwise it commits at most `ceiling` of its output to China, cut to `denied_share`
    after a licence denial, and sells at list price."""

    ceiling: float = 0.1
    denied_share: float = 0.02
    withdraw_hawkishness: float = 0.8

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        us = obs.public["us"]
        out: list[AnyMove] = []
        rank = THRESHOLDS.index(us["threshold"])
        withdraw = rank == 0 or us["hawkishness"] > self.withdraw_hawkishness
        level = THRESHOLDS[max(1, rank - 1)]
        if not withdraw and level not in (me["china_chip"], me["design_target"]):
            out.append(mv.DesignChinaChip(level=level))
        if me["lobby_usd_m"] > 0:
            out.append(mv.Lobby(usd_m=0.0))
        if not withdraw:
            out += _request(obs)
        denied = in_news(obs, "The US denies Nvidia's China licence")
        share = 0.0 if withdraw else self.denied_share if denied else wanted_share(obs, self.ceiling)
        out += _allocate(obs, share)
        if differs(1.0, me["price_multiplier"], 0.02):
            out.append(mv.SetChinaPrice(multiplier=1.0))
        return out


@dataclass(frozen=True)
class ChinaSku:
    """China SKU: design a chip just under the threshold every time the threshold moves (the H20, then
    the H20's successors), so there is always a product the rules allow. Nvidia redesigns to the new
    threshold the quarter it changes (up to `top`: the unrestricted flagship is not a China
    product), asks for its licence at once, and keeps its last design in hand while everything is
    banned so it is ready when the rules move back. It prices on value against the Ascend:
    `discount` when its chip is barely better than Huawei's (`close_edge`), `premium` when it is far
    ahead (`wide_edge`); it lobbies as the default does, in proportion to the China revenue the
    rules cost it."""

    top: str = "blackwell_lite"
    close_edge: float = 1.3
    wide_edge: float = 2.0
    discount: float = 0.85
    premium: float = 1.15

    def __call__(self, obs: Observation, dice: Dice) -> list[AnyMove]:
        me = obs.own
        us = obs.public["us"]
        out: list[AnyMove] = []
        level = THRESHOLDS[min(THRESHOLDS.index(us["threshold"]), THRESHOLDS.index(self.top))]
        if level != "ban_all" and level not in (me["china_chip"], me["design_target"]):
            out.append(mv.DesignChinaChip(level=level))
        out += _request(obs)
        out += _allocate(obs, wanted_share(obs, 0.3 * (1.0 - us["export_fee"])))
        chip = me["design_target"] if me["design_target"] != "none" else me["china_chip"]
        edge = CHIP_CLASS_H100E.get(chip, 0.0) / ASCEND_H100E.get(obs.public["huawei"]["generation"], 0.68)
        price = self.discount if edge < self.close_edge else self.premium if edge > self.wide_edge else 1.0
        if differs(price, me["price_multiplier"], 0.02):
            out.append(mv.SetChinaPrice(multiplier=price))
        return merge(out, nvidia_plan(obs, dice), drop=("design_china_chip", "allocate_supply", "set_china_price"))


DOCTRINES = {
    "lobby-hard": (LobbyHard(), "fight for the China market: heavy lobbying, the best allowed chip, a large China allocation"),
    "comply": (Comply(), "stay inside the rules: a chip a class under the threshold, no lobbying, a small China share"),
    "china-sku": (ChinaSku(), "design just under the threshold every time it moves; price on value against the Ascend"),
}
