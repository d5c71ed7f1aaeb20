"""The pygame front end (`wargame play`): a view and an input over GameSession, nothing more.

Only `ui.table` and `ui.view` are free of pygame; the headless core never imports this package.
"""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # pygame's import banner would pollute --json output
