"""The work the cabins do: job classes drawn as Poisson streams or replayed from a trace, the racks of servers that
run them (the fleet), and the schedulers that place them. Reads the scenario; knows nothing of the engine."""
