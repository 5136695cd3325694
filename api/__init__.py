"""seabed-twin: api."""
