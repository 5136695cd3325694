"""Wind-farm layouts and wakes: farm power tables over speed and direction, Jensen/Park or FLORIS.

A table is computed once per run at 1.225 kg m-3 and read by bilinear interpolation every step,
so wakes cost the run no more than a no-wake table does. Re-exported by :mod:`physics.wind`.

Sources
-------
- Jensen (1983), Risø-M-2411; Katic, Højstrup & Jensen (1986), EWEC '86.
- FLORIS v4 (NREL, https://github.com/NREL/floris): ``FlorisModel(config).set(layout_x,
  layout_y, wind_directions, wind_speeds, turbulence_intensities)``, ``run()``,
  ``get_farm_power()``; velocity models "jensen" (Jensen 1983) and "gauss" (Bastankhah &
  Porté-Agel 2016, with the Crespo-Hernández added turbulence; parameters FLORIS's defaults).

Meteorological convention: a direction is where the wind comes FROM, in degrees clockwise
from north; the layout frame has x east and y north (FLORIS's own convention too).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from physics.wind_turbines import (
    _CT_MAX,
    _CT_MIN,
    TURBINES,
    PowerCurve,
    _array,
    _interp_operating,
    _nonneg,
    _scalar,
    load_turbine,
    turbine_power_w,
    turbine_thrust_coefficient,
)

__all__ = [
    "FarmPowerTable",
    "WAKE_MODELS",
    "farm_power_w",
    "floris_farm_table",
    "grid_layout",
    "jensen_farm_table",
    "no_wake_farm_table",
]

#: Wake models of :func:`floris_farm_table` (FLORIS velocity-model names).
WAKE_MODELS = ("jensen", "gauss")


# --------------------------------------------------------------------------- farm layout and wakes
def grid_layout(turbine_count, rows, spacing_x_m, spacing_y_m):
    """Rectangular layout [m]: ``rows`` rows along y, ceil(n/rows) columns along x.

    Turbines fill row by row from the origin (row r at y = r spacing_y, column j at
    x = j spacing_x); the last row may be partial. Returns ``(x_m, y_m)``.
    """
    n = int(_scalar(turbine_count, "turbine_count", 1))
    if n != turbine_count:
        raise ValueError(f"turbine_count: must be an integer, got {turbine_count!r}")
    r = int(_scalar(rows, "rows", 1, n))
    if r != rows:
        raise ValueError(f"rows: must be an integer, got {rows!r}")
    sx = _scalar(spacing_x_m, "spacing_x_m", 0, low_open=True)
    sy = _scalar(spacing_y_m, "spacing_y_m", 0, low_open=True)
    cols = -(-n // r)
    idx = np.arange(n)
    return (idx % cols) * sx, (idx // cols) * sy


@dataclass(frozen=True, eq=False)
class FarmPowerTable:
    """Total farm power [W] over free-stream speed [m s-1] and direction [deg].

    ``power_w[i, j]`` is the farm power at ``direction_deg[i]``, ``wind_speed_m_s[j]``, at
    1.225 kg m-3 with all turbines available. Directions are evenly spaced over the full
    circle within [0, 360); speeds strictly increasing and >= 0.
    """

    wind_speed_m_s: np.ndarray
    direction_deg: np.ndarray
    power_w: np.ndarray

    def __post_init__(self) -> None:
        speeds = _speed_grid(self.wind_speed_m_s)
        dirs = _direction_grid(self.direction_deg)
        power = _nonneg(self.power_w, "power_w").copy()
        if power.shape != (dirs.size, speeds.size):
            raise ValueError(f"power_w: shape {power.shape} must be (n_direction, n_speed) = "
                             f"{(dirs.size, speeds.size)}")
        for name, arr in (("wind_speed_m_s", speeds), ("direction_deg", dirs), ("power_w", power)):
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)


def _speed_grid(wind_speed_m_s) -> np.ndarray:
    if wind_speed_m_s is None:
        return np.linspace(0.0, 30.0, 61)
    v = _nonneg(wind_speed_m_s, "wind_speed_m_s").ravel().copy()
    if v.size < 2 or np.any(np.diff(v) <= 0):
        raise ValueError("wind_speed_m_s: need >= 2 speeds, sorted strictly increasing")
    return v


def _direction_grid(direction_deg) -> np.ndarray:
    if direction_deg is None:
        return np.arange(72) * 5.0
    dirs = _array(direction_deg, "direction_deg").ravel().copy()
    n = dirs.size
    if n < 1 or np.any(dirs < 0) or np.any(dirs >= 360):
        raise ValueError("direction_deg: need >= 1 direction, each in [0, 360)")
    if not np.allclose(np.diff(dirs), 360.0 / n, rtol=0, atol=1e-9):
        raise ValueError(f"direction_deg: must be evenly spaced over the full circle (step 360/{n})")
    return dirs


def _overlap_fraction(distance_m, rotor_radius_m, wake_radius_m):
    """Fraction of a rotor disc (radius R) inside a wake disc (radius Rw >= R) whose centre is
    ``distance_m`` away: exact circle-circle intersection area / (pi R^2)."""
    d, r, rw = np.broadcast_arrays(distance_m, rotor_radius_m, wake_radius_m)
    ds = np.maximum(d, 1e-12)
    c1 = np.clip((ds**2 + r**2 - rw**2) / (2 * ds * r), -1, 1)
    c2 = np.clip((ds**2 + rw**2 - r**2) / (2 * ds * rw), -1, 1)
    kite = np.sqrt(np.clip((-ds + r + rw) * (ds + r - rw) * (ds - r + rw) * (ds + r + rw), 0, None))
    lens = r**2 * np.arccos(c1) + rw**2 * np.arccos(c2) - 0.5 * kite
    frac = np.where(d >= r + rw, 0.0, np.where(d <= rw - r, 1.0, lens / (np.pi * r**2)))
    return np.clip(frac, 0.0, 1.0)


def jensen_farm_table(curve: PowerCurve, x_m, y_m, wake_decay=0.05, wind_speed_m_s=None,
                      direction_deg=None) -> FarmPowerTable:
    """Farm power table with the top-hat Jensen/Park wake model.

    Deficit of turbine i on turbine j at downstream distance s > 0 (Jensen 1983; Katic et
    al. 1986): delta_ij = (1 - sqrt(1 - Ct_i)) (D / (D + 2 k s))^2 A_ij / A_rotor, where
    A_ij is the exact overlap of j's rotor disc with i's wake disc of radius D/2 + k s.
    Deficits combine as a root-sum-of-squares (FLORIS "sosfs"):
    U_j = U_inf (1 - sqrt(sum_i delta_ij^2)), clipped at 0. Turbines are solved in upstream
    order for every direction, each Ct_i read at turbine i's own waked speed (as FLORIS's
    sequential solver does); Ct is clipped to [0.0001, 0.9999] like FLORIS. Rotor-averaging
    is by area fraction (FLORIS samples a grid of rotor points instead), and all turbines
    are assumed at the same hub height with no shear or wake deflection.

    Parameters
    ----------
    curve : PowerCurve
    x_m, y_m : array_like, shape (n_turbines,)
        Positions [m], x east, y north.
    wake_decay : float
        Wake decay constant k [-], >= 0 (0.04-0.05 offshore).
    wind_speed_m_s : array_like or None
        Free-stream speeds [m s-1]; default 0..30 step 0.5.
    direction_deg : array_like or None
        Evenly spaced directions [deg] the wind comes FROM; default every 5 deg.
    """
    x = _array(x_m, "x_m").ravel()
    y = _array(y_m, "y_m").ravel()
    if x.size == 0:
        raise ValueError("x_m: need at least one turbine")
    if y.size != x.size:
        raise ValueError(f"y_m: length {y.size} differs from x_m ({x.size})")
    k = _scalar(wake_decay, "wake_decay", 0)
    speeds = _speed_grid(wind_speed_m_s)
    dirs = _direction_grid(direction_deg)
    n_t, n_d = x.size, dirs.size
    diameter = curve.rotor_diameter_m

    theta = np.deg2rad(dirs)
    flow_x, flow_y = -np.sin(theta), -np.cos(theta)  # unit vector the air moves along
    dx = x[None, :] - x[:, None]  # [i, j]: from i to j
    dy = y[None, :] - y[:, None]
    down = dx[None] * flow_x[:, None, None] + dy[None] * flow_y[:, None, None]  # [dir, i, j]
    lateral = np.abs(dx[None] * flow_y[:, None, None] - dy[None] * flow_x[:, None, None])
    # only pairs where j is downstream of i and can touch i's wake (radius D/2 + k s) need the overlap
    touch = (down > 1e-6) & (lateral < diameter + k * np.maximum(down, 0.0))
    s_t = down[touch]
    geometry = np.zeros(down.shape)
    geometry[touch] = ((diameter / (diameter + 2 * k * s_t)) ** 2
                       * _overlap_fraction(lateral[touch], diameter / 2.0, diameter / 2.0 + k * s_t))  # [dir, i, j]
    geometry_sq = geometry**2
    order = np.argsort(x[None, :] * flow_x[:, None] + y[None, :] * flow_y[:, None], axis=1, kind="stable")

    # Outside cut-in..cut-out every turbine makes 0 whatever the wakes: solve the other speeds only.
    active = (speeds >= curve.cut_in_m_s) & (speeds <= curve.zero_from_m_s)
    v_act = speeds[active]
    induction_sq = np.zeros((n_d, n_t, v_act.size))  # (1 - sqrt(1 - Ct))^2 of solved turbines
    total = np.zeros((n_d, speeds.size))
    rows = np.arange(n_d)
    for rank in range(n_t):
        j = order[:, rank]
        deficit_sq = np.einsum("di,dis->ds", geometry_sq[rows, :, j], induction_sq)
        u = v_act[None, :] * np.maximum(0.0, 1.0 - np.sqrt(deficit_sq))
        ct = np.clip(turbine_thrust_coefficient(curve, u), _CT_MIN, _CT_MAX)
        induction_sq[rows, j, :] = (1.0 - np.sqrt(1.0 - ct)) ** 2
        total[:, active] += _interp_operating(curve, u, curve.power_w)
    return FarmPowerTable(wind_speed_m_s=speeds, direction_deg=dirs, power_w=total)


def no_wake_farm_table(curve: PowerCurve, turbine_count, wind_speed_m_s=None,
                       direction_deg=None) -> FarmPowerTable:
    """Farm power table without wakes: ``turbine_count`` x turbine power, every direction."""
    n = int(_scalar(turbine_count, "turbine_count", 1))
    if n != turbine_count:
        raise ValueError(f"turbine_count: must be an integer, got {turbine_count!r}")
    speeds = _speed_grid(wind_speed_m_s)
    dirs = _direction_grid(direction_deg)
    power = np.broadcast_to(n * turbine_power_w(curve, speeds), (dirs.size, speeds.size))
    return FarmPowerTable(wind_speed_m_s=speeds, direction_deg=dirs, power_w=power)


def farm_power_w(table: FarmPowerTable, wind_speed_m_s, direction_deg):
    """Farm power [W] by bilinear interpolation in a :class:`FarmPowerTable`.

    Periodic in direction [deg, FROM, clockwise from north]; speeds [m s-1] are clipped to
    the table's range (so beyond the last speed the power is that of the last column, 0 when
    the table extends past cut-out, as the default 0..30 m/s grid does). Exact at the nodes.
    The table is for 1.225 kg m-3; for other densities pass
    :func:`density_equivalent_speed_m_s` (wake Ct changes with density are neglected).
    Near cut-in and cut-out the power ramps linearly across one table step.
    """
    v = _nonneg(wind_speed_m_s, "wind_speed_m_s")
    a = _array(direction_deg, "direction_deg")
    v, a = np.broadcast_arrays(v, a)
    speeds, dirs, power = table.wind_speed_m_s, table.direction_deg, table.power_w
    vc = np.clip(v, speeds[0], speeds[-1])
    j = np.clip(np.searchsorted(speeds, vc, side="right") - 1, 0, speeds.size - 2)
    wv = (vc - speeds[j]) / (speeds[j + 1] - speeds[j])
    n_d = dirs.size
    pos = np.mod(a - dirs[0], 360.0) * (n_d / 360.0)
    i0 = np.floor(pos).astype(np.intp)
    wd = pos - i0
    i0 %= n_d
    i1 = (i0 + 1) % n_d
    p0 = power[i0, j] * (1 - wv) + power[i0, j + 1] * wv
    p1 = power[i1, j] * (1 - wv) + power[i1, j + 1] * wv
    return p0 * (1 - wd) + p1 * wd


def _floris_turbine(curve: PowerCurve) -> dict:
    """A FLORIS v4 turbine definition ("simple" operation model) reproducing ``turbine_power_w``."""
    speed = curve.wind_speed_m_s
    eps = 1e-6
    extra = [s for s in (curve.cut_in_m_s - eps, curve.cut_out_m_s + eps) if s > 0 and not np.any(speed == s)]
    nodes = np.unique(np.concatenate((speed, extra)))
    return {
        "turbine_type": curve.name,
        "rotor_diameter": float(curve.rotor_diameter_m),
        "hub_height": float(curve.hub_height_m),
        "TSR": 8.0,  # used by no model chosen here
        "operation_model": "simple",
        "power_thrust_table": {
            "ref_air_density": 1.225,
            "ref_tilt": 0.0,
            "cosine_loss_exponent_yaw": 1.88,
            "cosine_loss_exponent_tilt": 1.88,
            "wind_speed": nodes.tolist(),
            "power": (turbine_power_w(curve, nodes) / 1e3).tolist(),  # FLORIS wants kW
            "thrust_coefficient": turbine_thrust_coefficient(curve, nodes).tolist(),
        },
    }


def _direction_classes(x: np.ndarray, y: np.ndarray, dirs: np.ndarray) -> np.ndarray:
    """Index of a representative direction for each direction, by the layout's symmetries.

    In uniform, unsheared inflow without yaw the farm power is invariant under a symmetry of
    the layout applied with the wind: a half turn (direction + 180), a mirror across the
    north-south line through the centroid (360 - direction) or across the east-west line
    (180 - direction). Directions related so share one FLORIS run; exact, not an approximation.
    """
    cx, cy = x.mean(), y.mean()
    scale = max(np.ptp(x), np.ptp(y), 1.0)

    def same(xa, ya):
        key = lambda a, b: np.lexsort((np.round(b / scale, 9), np.round(a / scale, 9)))  # noqa: E731
        i, j = key(x, y), key(xa, ya)
        return np.allclose(x[i], xa[j], atol=1e-6 * scale) and np.allclose(y[i], ya[j], atol=1e-6 * scale)

    maps = []
    if same(2 * cx - x, 2 * cy - y):
        maps.append(lambda d: d + 180.0)
    if same(2 * cx - x, y):
        maps.append(lambda d: 360.0 - d)
    if same(x, 2 * cy - y):
        maps.append(lambda d: 180.0 - d)
    step = 360.0 / dirs.size
    images = []
    for f in maps:
        image = np.mod(f(dirs) - dirs[0], 360.0) / step
        if np.allclose(image, np.rint(image), atol=1e-9):  # the grid is mapped onto itself
            images.append(np.rint(image).astype(int) % dirs.size)
    rep = np.arange(dirs.size)
    while True:  # smallest index reachable through the symmetries (closure of the classes)
        new = rep.copy()
        for k in images:
            new = np.minimum(new, new[k])
        new = new[new]
        if np.array_equal(new, rep):
            break
        rep = new
    return rep


def floris_farm_table(curve_or_turbine_name, x_m, y_m, wake_model="jensen", wind_speed_m_s=None,
                      direction_deg=None, turbulence_intensity=0.06, wake_decay=0.05) -> FarmPowerTable:
    """Farm power table computed by FLORIS v4 (optional dependency ``floris``).

    Same table as :func:`jensen_farm_table` (power at 1.225 kg m-3 over free-stream speed and
    direction), computed with ``FlorisModel``: one ``set(layout_x, layout_y, wind_directions,
    wind_speeds, turbulence_intensities)`` over every (direction, speed) pair, ``run()``,
    ``get_farm_power()``. Uniform inflow (wind_shear 0, veer 0) at hub height, 3 x 3 rotor
    points, "sosfs" wake combination, no yaw. Directions a symmetry of the layout maps onto each
    other (half turn, mirror lines through the centroid; a rectangular grid has all three) share
    one FLORIS run, which is exact in this inflow and cuts a grid's run time about fourfold.

    Parameters
    ----------
    curve_or_turbine_name : PowerCurve or str
        A name of :data:`TURBINES` uses FLORIS's own turbine YAML (its table and Ct, its
        "cosine-loss" model); a :class:`PowerCurve` becomes a FLORIS turbine dict ("simple"
        model) whose power [kW] and Ct tables reproduce :func:`turbine_power_w` and
        :func:`turbine_thrust_coefficient` (cut-in and cut-out kept sharp).
    x_m, y_m : array_like, shape (n_turbines,)
        Positions [m], x east, y north.
    wake_model : {"jensen", "gauss"}
        "jensen": FLORIS's Jensen velocity model (expansion ``wake_decay``), no deflection, no
        added turbulence; "gauss": FLORIS's Gaussian model with Gauss deflection and
        Crespo-Hernandez turbulence at FLORIS's default parameters.
    wind_speed_m_s, direction_deg : array_like or None
        Table grid, defaults as :func:`jensen_farm_table`. FLORIS runs only the speeds between
        cut-in and cut-out; outside them the farm makes 0.
    turbulence_intensity : float
        Ambient turbulence intensity [-] (the Gauss model's wake recovery depends on it).
    wake_decay : float
        Jensen wake expansion ``we`` [-].
    """
    try:
        from floris import FlorisModel
    except ImportError:  # pragma: no cover - floris is installed with the package
        raise ValueError("wake_model: FLORIS is not installed (pip install floris)") from None
    if isinstance(curve_or_turbine_name, str):
        if curve_or_turbine_name not in TURBINES:
            raise ValueError(f"curve_or_turbine_name: unknown turbine {curve_or_turbine_name!r}; "
                             f"known: {', '.join(sorted(TURBINES))}")
        curve = load_turbine(curve_or_turbine_name)
        turbine = TURBINES[curve_or_turbine_name].removesuffix(".yaml")
    elif isinstance(curve_or_turbine_name, PowerCurve):
        curve = curve_or_turbine_name
        turbine = _floris_turbine(curve)
    else:
        raise ValueError("curve_or_turbine_name: must be a PowerCurve or a turbine name")
    if wake_model not in WAKE_MODELS:
        raise ValueError(f"wake_model: must be one of {WAKE_MODELS}, got {wake_model!r}")
    x = _array(x_m, "x_m").ravel()
    y = _array(y_m, "y_m").ravel()
    if x.size == 0:
        raise ValueError("x_m: need at least one turbine")
    if y.size != x.size:
        raise ValueError(f"y_m: length {y.size} differs from x_m ({x.size})")
    ti = _scalar(turbulence_intensity, "turbulence_intensity", 0, 1, low_open=True)
    we = _scalar(wake_decay, "wake_decay", 0, low_open=True)
    speeds = _speed_grid(wind_speed_m_s)
    dirs = _direction_grid(direction_deg)
    power = np.zeros((dirs.size, speeds.size))
    active = np.flatnonzero((speeds >= curve.cut_in_m_s) & (speeds <= curve.zero_from_m_s) & (speeds > 0))
    if active.size == 0:
        return FarmPowerTable(wind_speed_m_s=speeds, direction_deg=dirs, power_w=power)

    config = FlorisModel.get_defaults()
    config["logging"] = {"console": {"enable": False, "level": "WARNING"},
                         "file": {"enable": False, "level": "WARNING"}}
    config["farm"] = {"layout_x": [0.0], "layout_y": [0.0], "turbine_type": [turbine]}
    config["flow_field"].update(air_density=1.225, reference_wind_height=-1, wind_shear=0.0, wind_veer=0.0,
                                wind_directions=[270.0], wind_speeds=[8.0], turbulence_intensities=[ti])
    wake = config["wake"]
    wake.update(enable_secondary_steering=False, enable_yaw_added_recovery=False,
                enable_transverse_velocities=False, enable_active_wake_mixing=False)
    if wake_model == "jensen":
        wake["model_strings"] = {"combination_model": "sosfs", "deflection_model": "none",
                                 "turbulence_model": "none", "velocity_model": "jensen"}
        wake["wake_velocity_parameters"]["jensen"] = {"we": we}
    else:
        wake["model_strings"] = {"combination_model": "sosfs", "deflection_model": "gauss",
                                 "turbulence_model": "crespo_hernandez", "velocity_model": "gauss"}
    wake["wake_deflection_parameters"].setdefault("none", {})
    wake["wake_turbulence_parameters"].setdefault("none", {})
    model = FlorisModel(config)
    rep = _direction_classes(x, y, dirs)
    unique = np.unique(rep)  # one FLORIS run per class of symmetric directions
    n = unique.size * active.size
    model.set(layout_x=x, layout_y=y, wind_directions=np.repeat(dirs[unique], active.size),
              wind_speeds=np.tile(speeds[active], unique.size), turbulence_intensities=np.full(n, ti))
    model.run()
    solved = np.asarray(model.get_farm_power(), float).reshape(unique.size, active.size)
    power[:, active] = solved[np.searchsorted(unique, rep)]
    return FarmPowerTable(wind_speed_m_s=speeds, direction_deg=dirs, power_w=np.maximum(power, 0.0))
