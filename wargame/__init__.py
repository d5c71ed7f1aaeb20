"""Chip-war wargame: the world, its turn API, adjudication, metrics and persistence.

Nothing here imports pygame or mlflow at import time (DESIGN §7).
"""

__version__ = "0.1.0"
