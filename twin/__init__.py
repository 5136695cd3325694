"""seabed-twin: twin."""
