"""The 3D temperature field inside a cabin at a chosen time of a run (what ``viz/`` renders).

The field is solved steady on the lumped state of that step: the cabin gas settles in seconds, so at a one-minute
step the field follows the lumped network's heat, flows and temperatures (``physics.field.cabin_field``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from physics import field, servers
from twin.scenario import parse_duration_s
from twin.sim.cabin import build_cabin
from twin.sim.results import RunResult

__all__ = ["field_at", "rack_shares"]


def rack_shares(result: RunResult, cabin: int, t: pd.Timestamp, n_racks: int) -> np.ndarray | None:
    """Each rack's share of cabin group ``cabin``'s power in the block holding ``t`` (``RunResult.racks``), or
    None when the run did not keep it."""
    racks = getattr(result, "racks", None)
    cols = [f"cabin{cabin}_rack{r}_w" for r in range(n_racks)]
    if racks is None or len(racks) == 0 or cols[0] not in racks.columns:
        return None
    k = max(0, int(racks.index.searchsorted(t, side="right")) - 1)
    p = racks[cols].iloc[k].to_numpy(dtype=float)
    total = p.sum()
    return p / total if total > 0 else None


def field_at(result: RunResult, when: str | pd.Timestamp, cabin: int = 0, resolution_m: float = 0.5):
    """Temperature field [C] (nx, ny, nz; NaN outside the cylinder), its diagnostics and the field problem, for
    cabin group ``cabin`` at the step nearest ``when`` (a timestamp, or an offset such as ``"180d"``)."""
    s = result.series
    if cabin < 0 or cabin >= len(result.scenario.cabins):
        raise ValueError(f"cabin: {cabin} is not a cabin group of this run (0..{len(result.scenario.cabins) - 1})")
    if isinstance(when, str) and when[-1:] in "smhdwy" and when[:1].isdigit():
        t = s.index[0] + pd.Timedelta(seconds=parse_duration_s(when))
    else:
        t = pd.Timestamp(when)
        if t.tzinfo is None:
            t = t.tz_localize(s.index.tz)
    if not s.index[0] <= t <= s.index[-1]:
        raise ValueError(f"when: {t} is outside the run ({s.index[0]} to {s.index[-1]})")
    i = int(np.argmin(np.abs((s.index - t).asi8)))
    row = s.iloc[i]
    group = result.scenario.cabins[cabin]
    plant = build_cabin(result.scenario, group)
    geo = field.CylinderGeometry(group.geometry.diameter_m, group.geometry.length_m, group.geometry.orientation)
    p = f"cabin{cabin}_"
    heat = float(row[p + "heat_w"]) if p + "heat_w" in row.index else (  # runs recorded before the power chain
        float(row[p + "it_power_w"]) + plant.fan_power_w(float(row[p + "fan_speed"])))
    n_racks = group.racks.rack_count
    shares = rack_shares(result, cabin, s.index[i], n_racks)
    if plant.liquid is not None:
        # heat_w is the gas path's heat: shared by what of each rack's power the cold plates leave to the gas
        liquid = np.array([servers.server_model(b.server).liquid_fraction for b in group.racks.blocks()
                           for _ in range(b.rack_count)])
        weights = (shares if shares is not None else np.full(n_racks, 1.0 / n_racks)) * (1.0 - liquid)
        shares = weights / weights.sum() if weights.sum() > 0 else None
    # shared over the racks as they carried the load in that block (an hour), when the run kept it; else evenly
    heat = heat * shares if shares is not None else heat
    temps, diag, problem = field.cabin_field(
        plant.thermal, geo, group.racks.rack_count, heat, float(row["sea_temp_c"]), resolution_m=resolution_m,
        fan_speed=float(row[p + "fan_speed"]), pump_speed=max(float(row[p + "pump_speed"]), 1e-3),
        lumped_state_c=(float(row[p + "it_temp_c"]), float(row[p + "gas_temp_c"]), float(row[p + "wall_temp_c"])))
    diag = dict(diag)
    diag["time"] = s.index[i].isoformat()
    diag["lumped_inlet_c"] = float(row[p + "inlet_temp_c"])
    diag["lumped_gas_c"] = float(row[p + "gas_temp_c"])
    return temps, diag, problem
