"""Does a Monte Carlo worker's memory stay flat however many games it plays?

    python benchmarks/worker_memory.py [--games N] [--chunk K] [--json]

Plays N baseline games (doctrine seats) in this one process exactly as a `wargame mc` worker
does (`run_chunk`: K games a chunk, each chunk written as its two Parquet files, which are then
deleted so the disk does not fill), and reads the process's resident memory (VmRSS, not the
peak) after every chunk. Prints RSS at ten checkpoints, the growth from the first checkpoint
to the last, and the slope over the second half of the games (MB per 1,000 games) by least
squares. Issue 8 asks for memory flat over 100,000 games in one worker (`--games 100000` takes
over an hour on this machine). Prints, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wargame.mc.experiment import MANIFEST, build_manifest, chunk_name, n_chunks, run_chunk, write_json_atomic  # noqa: E402


def rss_mb() -> float:
    """This process's resident set now (Linux: /proc/self/status), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def slope_per_1000(points: list[tuple[int, float]]) -> float:
    """Least-squares MB per 1,000 games over `points` (games played, RSS)."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(g for g, _ in points) / n
    my = sum(r for _, r in points) / n
    sxx = sum((g - mx) ** 2 for g, _ in points)
    sxy = sum((g - mx) * (r - my) for g, r in points)
    return 1000 * sxy / sxx if sxx else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--games", type=int, default=2000)
    ap.add_argument("--chunk", type=int, default=100)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.games < 1 or args.chunk < 1:
        ap.error("--games and --chunk must be at least 1")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="worker-memory-") as tmp:
        out = Path(tmp)
        manifest = build_manifest("baseline", args.games, 0, [], None, None, False, False, None, args.chunk)
        for sub in ("runs", "turns"):
            (out / sub).mkdir()
        write_json_atomic(out / MANIFEST, manifest)
        points: list[tuple[int, float]] = [(0, rss_mb())]
        played = 0
        for c in range(n_chunks(manifest)):
            played += run_chunk((str(out), 0, c))
            for sub in ("runs", "turns"):
                (out / sub / chunk_name(0, c)).unlink()
            points.append((played, rss_mb()))
            if sys.stderr.isatty():
                print(f"\r{played:,} games, RSS {points[-1][1]:.1f} MB", end="", file=sys.stderr)
            elif c % max(1, n_chunks(manifest) // 20) == 0:  # a log's line every 5 %, for a long run
                print(f"{played:,} games, RSS {points[-1][1]:.1f} MB, {time.perf_counter() - t0:.0f} s",
                      file=sys.stderr, flush=True)
    wall = time.perf_counter() - t0
    if sys.stderr.isatty():
        print(file=sys.stderr)
    after_first = points[1:]  # the first chunk fills caches and imports lazily loaded modules
    second_half = [p for p in after_first if p[0] >= args.games / 2]
    result = {
        "games": played, "chunk": args.chunk, "wall_s": round(wall, 1),
        "rss_mb_start": round(points[0][1], 1), "rss_mb_after_first_chunk": round(after_first[0][1], 1),
        "rss_mb_end": round(points[-1][1], 1), "rss_mb_max": round(max(r for _, r in points), 1),
        "growth_mb_after_first_chunk": round(points[-1][1] - after_first[0][1], 1),
        "slope_mb_per_1000_games_second_half": round(slope_per_1000(second_half), 3),
    }
    if args.json:
        print(json.dumps(result))
        return
    step = max(1, len(after_first) // 10)
    print(f"{played:,} games in one process, {args.chunk} a chunk, {wall:.0f} s")
    print(f"RSS before playing: {points[0][1]:.1f} MB")
    for games, rss in after_first[::step] + ([after_first[-1]] if (len(after_first) - 1) % step else []):
        print(f"  after {games:>9,} games: {rss:7.1f} MB")
    print(f"growth after the first chunk: {result['growth_mb_after_first_chunk']:+.1f} MB; slope over the second half: "
          f"{result['slope_mb_per_1000_games_second_half']:+.3f} MB per 1,000 games "
          f"(Mesa's Agent._ids leak was 0.18 MB a game, 180 MB per 1,000)")


if __name__ == "__main__":
    main()
