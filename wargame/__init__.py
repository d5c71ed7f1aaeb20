"""Chip-war wargame: the world, its turn API, adjudication, metrics and persistence.

Nothing here imports pygame or mlflow at import time (DESIGN §7).
"""

__version__ = "0.1.0"

# The version of the game's mechanics (adjudication, agents, moves, parameters' meaning). Bump it
# whenever a change makes the same scenario, seed and move log play out differently: a save
# records it, and a save made with another model version is refused because its replay would
# not reproduce it.
MODEL_VERSION = "2026.12-1"
