"""The Mesa model: one agent per actor built from the scenario, the World, and the DataCollector.

`step()` adjudicates one quarter once every seat has given its orders (the session makes sure
of that). Randomness: every stream is a child of `SeedSequence(seed)` keyed by purpose and
turn, so a bot's extra draw never shifts the world's dice and a reloaded game continues on
exactly the same dice.
"""

from __future__ import annotations

import functools

import mesa
import numpy as np
from numpy.random.bit_generator import ISpawnableSeedSequence

from agents import ActorAgent, agent_class
from wargame.adjudication import adjudicate
from wargame.metrics import CONTRACT_KEYS, EXTRA_KEYS
from wargame.scenario import Scenario
from wargame.state import World

ADJUDICATION, OBSERVATION, POLICY, MESA, EVENTS, PARAMS = 0, 1, 2, 3, 4, 5


class _Latest:
    """A picklable reporter: the latest record's value of one metric."""

    def __init__(self, model: WargameModel, key: str):
        self.model, self.key = model, key

    def __call__(self) -> float:
        return self.model.records[-1][self.key]


class RecordCollector(mesa.DataCollector):
    """Mesa's DataCollector, filled straight from each quarter's record: the values are plain
    numbers and strings, so the deep copy Mesa makes of every reporter's value buys nothing."""

    def collect(self, model: WargameModel) -> None:
        record = model.records[-1]
        for key, values in self.model_vars.items():
            values.append(record[key])


# --- keyed streams, seeded without numpy's SeedSequence machinery --------------------------------
# A game opens some six hundred streams, and numpy spends most of each stream's cost in building
# the SeedSequence. Its hash (numpy/random/bit_generator.pyx) is a few dozen 32-bit multiply-xorshift
# steps, so it is done here in Python, caching the pool mixed from a key's prefix (the seed, purpose
# and turn recur across a quarter's streams). tests/test_fast_paths.py checks it against numpy.
_M32, _M64, _M128 = (1 << 32) - 1, (1 << 64) - 1, (1 << 128) - 1
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_PCG64_MULT = 0x2360ED051FC65DA44385DF649FCCF645  # PCG_DEFAULT_MULTIPLIER_128


def _hash_constants(init: int, mult: int, n: int) -> tuple[int, ...]:
    """The hash constant before each call of SeedSequence's hashmix (it does not depend on the data)."""
    out = [init]
    for _ in range(n):
        out.append(out[-1] * mult & _M32)
    return tuple(out)


_HA = _hash_constants(0x43B0D7E5, 0x931E8875, 16 + 4 * 64)  # INIT_A, MULT_A: mixing the entropy
_HB = _hash_constants(0x8B51F9DD, 0x58F38DED, 8)  # INIT_B, MULT_B: generating the state


def _words(n: int) -> tuple[int, ...]:
    """numpy's _coerce_to_uint32_array for one non-negative int: 32-bit words, least significant first."""
    if n < 0:
        raise ValueError("seeds and spawn keys must be non-negative")
    if n <= _M32:
        return (n,)
    out = []
    while n:
        out.append(n & _M32)
        n >>= 32
    return tuple(out)


@functools.lru_cache(maxsize=4096)
def _word_hashes(word: int, k: int) -> tuple[int, int, int, int]:
    """What mixing `word` in at hash call k takes from each pool word: _MIX_R times hashmix(word) at
    calls k..k+3. It depends on neither the pool nor the seed, and the game mixes in the same few
    words (purposes, turns, seats) over and over, so it is kept."""
    ha, out = _HA, []
    for d in range(4):
        h = (word ^ ha[k + d]) * ha[k + d + 1] & _M32
        out.append(_MIX_R * (h ^ h >> 16))
    return tuple(out)


def _mix_in(pool: tuple[int, ...], k: int, word: int) -> tuple[tuple[int, ...], int]:
    """One entropy word past the pool's size, mixed into each pool word (hashmix calls k..k+3)."""
    m0, m1, m2, m3 = _word_hashes(word, k)
    p0, p1, p2, p3 = pool
    r0 = (_MIX_L * p0 - m0) & _M32
    r1 = (_MIX_L * p1 - m1) & _M32
    r2 = (_MIX_L * p2 - m2) & _M32
    r3 = (_MIX_L * p3 - m3) & _M32
    return (r0 ^ r0 >> 16, r1 ^ r1 >> 16, r2 ^ r2 >> 16, r3 ^ r3 >> 16), k + 4


@functools.lru_cache(maxsize=4096)
def _pool(words: tuple[int, ...]) -> tuple[tuple[int, ...], int]:
    """SeedSequence.mix_entropy over `words` (at least four): the pool and how many hashmix calls it took."""
    if len(words) > 4:
        return _mix_in(*_pool(words[:-1]), words[-1])
    ha, pool = _HA, []
    for i in range(4):
        v = (words[i] ^ ha[i]) * ha[i + 1] & _M32
        pool.append(v ^ v >> 16)
    k = 4
    for s in range(4):
        for d in range(4):
            if s != d:
                h = (pool[s] ^ ha[k]) * ha[k + 1] & _M32
                h ^= h >> 16
                k += 1
                r = (_MIX_L * pool[d] - _MIX_R * h) & _M32
                pool[d] = r ^ r >> 16
    return tuple(pool), k


@functools.lru_cache(maxsize=4096)
def _head_pool(seed: int, head: tuple[int, ...]) -> tuple[tuple[int, ...], int]:
    """The pool mixed from the seed and a key's numbers but its last (and how many hashmix calls
    that took): a quarter's streams share it, and a longer head is a shorter one's pool with one
    more number mixed in, so most look-ups find it or all but its last number."""
    if not head:
        words = _words(seed)
        if len(words) < 4:  # numpy pads the entropy to the pool size when there is a spawn key; without
            words += (0,) * (4 - len(words))  # one, its pool runs the hash over zeros, which is the same
        return _pool(words)
    pool, k = _head_pool(seed, head[:-1])
    for w in _words(head[-1]):
        pool, k = _mix_in(pool, k, w)
    return pool, k


def seed_state(seed: int, key: tuple[int, ...]) -> tuple[int, int, int, int]:
    """SeedSequence(seed, spawn_key=key).generate_state(4, np.uint64), as Python ints."""
    last: tuple[int, ...] = ()
    if key:
        pool, k = _head_pool(seed, key[:-1])
        x = key[-1]
        last = (x,) if 0 <= x <= _M32 else _words(x)  # _words(x), without the call for one word
        for w in last[:-1]:
            pool, k = _mix_in(pool, k, w)
    else:
        pool, k = _head_pool(seed, ())
    p0, p1, p2, p3 = pool
    if last:  # the last word mixed in, unrolled: this runs for every stream
        m0, m1, m2, m3 = _word_hashes(last[-1], k)
        r = (_MIX_L * p0 - m0) & _M32
        p0 = r ^ r >> 16
        r = (_MIX_L * p1 - m1) & _M32
        p1 = r ^ r >> 16
        r = (_MIX_L * p2 - m2) & _M32
        p2 = r ^ r >> 16
        r = (_MIX_L * p3 - m3) & _M32
        p3 = r ^ r >> 16
    b0, b1, b2, b3, b4, b5, b6, b7, b8 = _HB
    v0 = (p0 ^ b0) * b1 & _M32
    v1 = (p1 ^ b1) * b2 & _M32
    v2 = (p2 ^ b2) * b3 & _M32
    v3 = (p3 ^ b3) * b4 & _M32
    v4 = (p0 ^ b4) * b5 & _M32
    v5 = (p1 ^ b5) * b6 & _M32
    v6 = (p2 ^ b6) * b7 & _M32
    v7 = (p3 ^ b7) * b8 & _M32
    return (v0 ^ v0 >> 16 | (v1 ^ v1 >> 16) << 32, v2 ^ v2 >> 16 | (v3 ^ v3 >> 16) << 32,
            v4 ^ v4 >> 16 | (v5 ^ v5 >> 16) << 32, v6 ^ v6 >> 16 | (v7 ^ v7 >> 16) << 32)


def first_output(seed: int, *key: int) -> int:
    """The first 64-bit output of stream(seed, *key)'s PCG64 (pcg64_set_seed, then one step)."""
    s0, s1, i0, i1 = seed_state(seed, key)
    inc = ((i0 << 64 | i1) << 1 | 1) & _M128
    st = ((inc + (s0 << 64 | s1)) * _PCG64_MULT + inc) & _M128
    st = (st * _PCG64_MULT + inc) & _M128
    x = ((st >> 64) ^ st) & _M64
    r = st >> 122
    return (x >> r | x << (64 - r)) & _M64


class _KeyedSeed(ISpawnableSeedSequence):
    """What PCG64 seeds itself from: the state SeedSequence(seed, spawn_key=key) would generate.
    Anything else asked of it (spawning, entropy, other sizes) goes to that real SeedSequence."""

    def __init__(self, seed: int, key: tuple[int, ...]):
        self._seed, self._key = seed, key
        self._real: np.random.SeedSequence | None = None

    def _sequence(self) -> np.random.SeedSequence:
        if self._real is None:
            self._real = np.random.SeedSequence(self._seed, spawn_key=self._key)
        return self._real

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        if n_words == 4 and np.dtype(dtype) == np.uint64 and self._real is None:
            return np.array(seed_state(self._seed, self._key), dtype=np.uint64)
        return self._sequence().generate_state(n_words, dtype)

    def spawn(self, n_children: int) -> list[np.random.SeedSequence]:
        return self._sequence().spawn(n_children)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._sequence(), name)


def stream(seed: int, *key: int) -> np.random.Generator:
    """A generator for one purpose: the child of SeedSequence(seed) at spawn key `key`
    (the same generator as np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key))))."""
    if type(seed) is not int or any(type(x) is not int for x in key):  # numpy ints and the like: numpy's own way
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))
    return np.random.Generator(np.random.PCG64(_KeyedSeed(seed, key)))


class WargameModel(mesa.Model):
    def __init__(self, scenario: Scenario, seed: int, world: World | None = None,
                 param_overrides: dict[str, float] | None = None):
        super().__init__(rng=stream(seed, MESA))
        self.scenario = scenario
        self.seed = seed
        self.params = scenario.params(param_overrides)
        self.world: World = world if world is not None else scenario.start_world()
        self.actors: tuple[str, ...] = scenario.actors
        self.by_id: dict[str, ActorAgent] = {a: agent_class(a)(self, a) for a in self.actors}
        # Mesa 3.3 keeps a class-level id counter per model (mesa.Agent._ids, Mesa issue 3179), which
        # holds every model ever built alive; all our agents exist by now, so drop this model's entry.
        mesa.Agent._ids.pop(self, None)
        self.records: list[dict] = []
        self.flows: dict = {}
        keys = list(CONTRACT_KEYS) + list(EXTRA_KEYS)
        keys += [f"tier2_alignment_{n}" for n in scenario.tier2] + [f"score_{a}" for a in self.actors]
        self.metric_keys = tuple(keys)
        self.datacollector = RecordCollector(model_reporters={k: _Latest(self, k) for k in self.metric_keys})

    def step(self) -> None:
        """Adjudicate the quarter; the record is an immutable dict of plain numbers."""
        rng = stream(self.seed, ADJUDICATION, self.world.turn)
        self.world, record, self.flows = adjudicate(self.world, self.params, rng, self.actors)
        self.records.append(record)
        self.datacollector.collect(self)

    def restore_history(self, records: list[dict], flows: dict) -> None:
        """Refill the collector from saved records (after loading a game)."""
        for record in records:
            self.records.append(record)
            self.datacollector.collect(self)
        self.flows = flows
