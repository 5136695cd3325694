"""seabed-twin: viz."""
