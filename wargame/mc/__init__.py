"""`wargame mc`: Monte Carlo experiments over many games.

    experiment.py  arms, per-run seeds, Latin-hypercube draws, chunked parallel runs, Parquet
                   chunks, manifest and resume, results hash, paired differences
    report.py      summary.md and matplotlib plots (imported lazily)
    tracking.py    MLflow logging of an experiment or of one game (imported lazily)

Nothing here imports pyarrow, matplotlib or mlflow at module import time.
"""

from wargame.mc.experiment import McError, game_seed

__all__ = ["McError", "game_seed"]
