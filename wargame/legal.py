"""What a seat may order now, handed to its policy without building what it will not read.

`LegalMoves` is a sequence of every legal move, listed only if the policy iterates it (a
random bot does); a doctrine instead asks `fit(move)` for the few moves it wants, which checks
them against the actor's bounds directly. Moves it hands out are vouched for until the session
changes, so `submit` need not validate them a second time. `LazyGenerator` is a seat's dice,
built only when the policy first rolls them (most decisions never do).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from wargame.moves import AnyMove, Pass

if TYPE_CHECKING:
    from wargame.session import GameSession


class LegalMoves(Sequence):
    """The legal moves of `actor` (a Sequence of moves) as `session` stands whenever it is read:
    the listing is kept only while the session's change counter stays the same."""

    def __init__(self, session: GameSession, actor: str):
        self._session, self.actor = session, actor
        self._epoch = session._epoch
        self._listed: list[AnyMove] | None = None

    def _moves(self) -> list[AnyMove]:
        if self._listed is None or self._epoch != self._session._epoch:
            self._epoch = self._session._epoch
            self._listed = self._session.legal_moves(self.actor)
            self._session._vouch(*self._listed)
        return self._listed

    def __len__(self) -> int:
        return len(self._moves())

    def __getitem__(self, i: Any) -> Any:
        return self._moves()[i]

    def __iter__(self) -> Iterator[AnyMove]:
        return iter(self._moves())

    def __contains__(self, move: object) -> bool:
        return move in self._moves()

    def kinds(self) -> list[str]:
        """The kinds other than pass that are listed now, sorted."""
        return self._session.listed_kinds(self.actor)

    def of_kind(self, kind: str) -> list[AnyMove]:
        """The listed moves of one kind, in listing order, without building the rest."""
        moves = self._session.moves_of_kind(self.actor, kind)
        self._session._vouch(*moves)
        return moves

    @property
    def pass_move(self) -> AnyMove:
        return _pass_of(self.actor)

    def fit(self, move: AnyMove) -> AnyMove | None:
        """The move with its amounts clamped into the legal range, or None if not allowed now."""
        return self.fit_first((move,))

    def fit_first(self, moves: Iterable[AnyMove]) -> AnyMove | None:
        """The first of `moves` allowed now, with its amounts clamped into the legal range, or None."""
        fitted = self._session.fit_first(self.actor, moves)
        if fitted is not None:
            self._session._vouch(fitted)
        return fitted


@functools.lru_cache(maxsize=256)
def _pass_of(actor: str) -> AnyMove:
    """Pass(actor=actor), built once: moves are frozen, so one object serves every phase that
    ends in a pass (some 260 a game) without validating it again."""
    return Pass(actor=actor)


class LazyGenerator:
    """A numpy Generator for one stream, created on first use: the same draws as building it
    up front, without paying for a seed sequence the policy never rolls."""

    __slots__ = ("_make", "_rng")

    def __init__(self, make: Any):
        self._make = make
        self._rng: np.random.Generator | None = None

    def __getattr__(self, name: str) -> Any:
        if self._rng is None:
            self._rng = self._make()
        return getattr(self._rng, name)
