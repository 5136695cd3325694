"""``python -m twin`` is the ``seabed-twin`` command."""

from twin.cli import main

main()
