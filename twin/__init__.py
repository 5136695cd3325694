"""seabed-twin: twin.

``twin.validate(design, rules, cases)`` and ``twin.sweep(design, grid=..., lhs=...)`` are imported on first use,
so ``import twin`` stays cheap.
"""

__all__ = ["validate", "sweep"]


def __getattr__(name: str):
    if name == "validate":
        from twin.validate import validate

        return validate
    if name == "sweep":
        from twin.sweep import sweep

        return sweep
    raise AttributeError(f"module 'twin' has no attribute {name!r}")
