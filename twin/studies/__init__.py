"""Studies over many runs: design rules and stress cases, validation and its reports, sweeps on Dask, Pareto fronts,
and the green scheduler's perfect-foresight bound."""
