"""Bounds on what an input file may cost: a scenario or save is refused before it can exhaust
the machine (a YAML alias bomb, a huge save passed around by email, an endless `extends` chain).

The CLI's `--max-file-mb` changes the size limit for one invocation; the others are fixed
because no real scenario comes near them.
"""

from __future__ import annotations

from typing import BinaryIO

DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024  # a scenario or save file (the built-in ones are < 100 kB)
MAX_YAML_ALIASES = 100  # alias references (*name) in one scenario file
MAX_YAML_NODES = 200_000  # scalars, sequences and mappings after alias expansion
MAX_NESTING = 32  # depth of mappings and lists in a scenario or save
MAX_EXTENDS_DEPTH = 8  # scenario -> parent -> grandparent ...
# Games one Monte Carlo arm (and calibrate's or effects' --seeds) may play: run i plays game seed
# SEED*1000003+i, so beyond 1,000,003 runs an experiment would replay the next --seed's games;
# 1,000,000 is also days of play on a small machine (10,000 games a minute at best).
MAX_RUNS = 1_000_000

_max_file_bytes = DEFAULT_MAX_FILE_BYTES


def max_file_bytes() -> int:
    return _max_file_bytes


def set_max_file_bytes(n: int) -> None:
    """Raise or lower the file-size limit (the CLI's --max-file-mb)."""
    global _max_file_bytes
    if n < 1:
        raise ValueError("the file-size limit must be at least one byte")
    _max_file_bytes = int(n)


def file_size_problem(size: int, label: str) -> str | None:
    """One line if a file is over the limit, naming the flag that raises it."""
    over = over_limit(size)
    return None if over is None else f"{label}: file is {over} (raise it with --max-file-mb)"


def over_limit(size: int) -> str | None:
    """"5.04 MB, over the 5 MB limit", or None within it: never "5.0 MB, over the 5 MB limit"."""
    if size <= _max_file_bytes:
        return None
    mb, limit_mb = size / 2**20, _max_file_bytes / 2**20
    digits = 1
    while round(mb, digits) <= round(limit_mb, digits) and digits < 6:
        digits += 1
    return f"{mb:.{digits}f} MB, over the {limit_mb:.3g} MB limit"


def python_reason(exc: BaseException, width: int = 120) -> str:
    """Python's own reason for a refused value, without the advice to programmers after its ";"
    (e.g. "... value has 5000 digits; use sys.set_int_max_str_digits() to increase the limit")."""
    return str(exc).split(";")[0][:width]


def read_capped(f: BinaryIO) -> bytes:
    """At most the size limit plus one byte of an open file (one byte more tells a file over the
    limit), read in pieces: a single read of the limit would allocate it whole, and --max-file-mb
    may set it to terabytes."""
    parts, left = [], _max_file_bytes + 1
    while left > 0:
        part = f.read(min(left, 1 << 20))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)
