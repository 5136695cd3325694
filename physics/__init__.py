"""seabed-twin: physics."""
