"""``python -m twin`` is the ``seabed-twin`` command."""

from twin.cli import main

if __name__ == "__main__":  # a spawned worker process imports __main__ and must not run the command
    main()
