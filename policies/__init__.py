"""Who decides: the Policy protocol, random play, default doctrines."""
