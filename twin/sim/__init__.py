"""A run: building the cabins' plant and the exogenous series, the engine that steps them with the workload, the
controls, and the results (series, ledger, KPIs)."""
