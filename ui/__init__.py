"""The pygame front end (a later issue): a view and an input over GameSession, nothing more."""
