"""A whole game as a Mesa model, so `mesa.batch_run` plays real games: seats decide, events
fire, one step is one quarter and `running` turns False at the scenario's end.

    from mesa.batchrunner import batch_run
    from wargame.batch import PlayedGame
    batch_run(PlayedGame, {"scenario": "baseline", "seed": range(100)}, number_processes=2,
              max_steps=100, data_collection_period=1)

Each row's `Step` is the quarter's index from 0 (its `turn` is Step + 1); the columns are the
metrics of DESIGN §5 for that quarter. `seats` is "actor=policy,..." (a string, so batch_run
does not iterate it); unnamed seats play their scenario's default.
"""

from __future__ import annotations

import functools

import mesa

from wargame.metrics import CONTRACT_KEYS
from wargame.runner import make_seats, play_turn
from wargame.scenario import Scenario, load_scenario
from wargame.session import GameSession


@functools.lru_cache(maxsize=16)
def cached_scenario(name: str) -> Scenario:
    """Loading and checking a scenario costs more than playing a game: once per process."""
    return load_scenario(name)


def parse_seats(seats: str | dict | None) -> dict[str, str]:
    if not seats:
        return {}
    if isinstance(seats, dict):
        return dict(seats)
    pairs = [p.strip() for p in seats.split(",") if p.strip()]
    out = {}
    for pair in pairs:
        actor, sep, policy = pair.partition("=")
        if not sep:
            raise ValueError(f"seats {seats!r}: expected actor=policy,...")
        out[actor] = policy
    return out


class _Record:
    """A picklable reporter: one metric of the latest quarter."""

    def __init__(self, game: PlayedGame, key: str):
        self.game, self.key = game, key

    def __call__(self) -> float | int | str:
        return self.game.session.timeline[-1][self.key]


class PlayedGame(mesa.Model):
    def __init__(self, scenario: str = "baseline", seed: int = 0, seats: str | dict | None = None,
                 sample_params: bool = False):
        super().__init__()
        self.session = GameSession(cached_scenario(scenario), int(seed), sample_params=sample_params)
        self.policies = make_seats(self.session, parse_seats(seats))
        keys = ("turn", "quarter", *CONTRACT_KEYS)
        self.datacollector = mesa.DataCollector(model_reporters={k: _Record(self, k) for k in keys})
        self.running = not self.session.is_over

    def step(self) -> None:
        """Every seat gives its orders and the quarter resolves (with the next quarter's injects)."""
        play_turn(self.session, self.policies)
        self.datacollector.collect(self)
        self.running = not self.session.is_over
