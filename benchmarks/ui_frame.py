"""How smooth the table is: a demo game of 4 quarters under the dummy video driver.

Run: .venv/bin/python benchmarks/ui_frame.py [--json] [--quarters N] [--size WxH]
Prints frame times (each frame's own work: events, update, drawing, flip), the time to the
first frame, and the longest the loop was ever blocked, while bots play on their thread.
Targets (issue 9): frame p95 <= 16 ms at 1280x800, first frame <= 2 s, no block > 50 ms.
It asserts nothing: speed is measured here, never in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--quarters", type=int, default=4)
    ap.add_argument("--size", default="1280x800")
    ap.add_argument("--pace", type=float, default=0.25, help="seconds between quarters (the demo's rhythm)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    from ui.app import App, PlayConfig
    from wargame.scenario import load_scenario
    from wargame.session import GameSession

    w, h = (int(x) for x in args.size.split("x"))
    config = PlayConfig(demo=True, size=(w, h), exit_after_turns=args.quarters, pace=args.pace)
    session = GameSession(load_scenario("baseline"), 1)
    app = App(config)
    app.t0 = t0  # the first frame counts from before the window and the game were made
    app.start_game(session)
    app.run()
    frames = sorted(app.frame_ms[1:]) or [0.0]  # the first frame builds every cache; it is reported apart
    out = {
        "frame_ms_p50": round(statistics.median(frames), 2),
        "frame_ms_p95": round(frames[int(0.95 * (len(frames) - 1))], 2),
        "first_frame_s": round(app.first_frame_s or 0.0, 3),
        "max_loop_block_ms": round(max(app.frame_ms[1:] or [0.0]), 2),  # after the first frame, which loads fonts and the map
        "frames": len(app.frame_ms),
        "quarters": args.quarters,
        "size": args.size,
    }
    if args.json:
        print(json.dumps(out, sort_keys=True))
        return
    print(f"demo game, {args.quarters} quarters at {args.size}, {out['frames']} frames")
    print(f"frame (own work): p50 {out['frame_ms_p50']:.1f} ms, p95 {out['frame_ms_p95']:.1f} ms  (target p95 <= 16 ms: "
          f"{out['frame_ms_p95'] / 16:.2f}x of budget)")
    print(f"first frame after start: {out['first_frame_s']:.2f} s (target <= 2 s)")
    print(f"longest loop block: {out['max_loop_block_ms']:.1f} ms (target <= 50 ms)")


if __name__ == "__main__":
    main()
