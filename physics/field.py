"""Steady and transient 3D temperature field of a cabin's gas, finite volumes on a structured Cartesian grid.

The cabin is a closed cylinder (``vertical``: axis z; ``horizontal``: axis x) voxelised on a uniform grid: a cell
whose centre lies inside the cylinder is gas, the others are inactive (NaN in the output). What is modelled
(docs/thermal-field.md gives the full derivation and the stated tolerances):

- **Layout** (:func:`rack_layout`): decks of height about ``DECK_HEIGHT_M`` (vertical) or one deck (horizontal).
  Each deck has a plenum under a raised floor and a room above it. Racks stand on the floor in rows along x with
  an exchanger unit at both ends of every row (vertical: up to four rows a deck; horizontal: two rows along the
  axis).
- **Flow** (the air loop, mass-conserving by construction): the fans push a fixed capacity flux
  ``C_a / n_racks`` [W K-1] up through every rack (plug flow, closed sides). Exchangers take the same total down
  (each deck's exchangers carry its racks' flow, shared by cross-section). The floor is closed except through
  racks and exchangers. In the room (rack tops to exchanger tops) and the plenum (exchanger bottoms to rack
  bottoms), the flow is the potential flow that carries these fixed fluxes: a discrete Neumann Poisson problem
  ``L phi = -div(fixed)``, solved directly per connected region. The face fluxes are divergence-free to round-off.
- **Heat**: rack heat is spread over the rack's cells; each exchanger cell removes ``g (T - T_sea)`` with
  ``g = c_col ((1 - G_hx / C_a)^(-1/n) - 1)`` for a column of ``n`` cells carrying ``c_col``, so that an
  exchanger column removes exactly ``c_col G_hx / C_a (T_in - T_sea)``: summed, ``G_hx (T_in - T_sea)``, the
  lumped model's exchanger law referred to its inlet (see ``exchanger_model``). The wall is a Robin condition:
  every boundary face exchanges with a reference temperature (the sea; or the lumped wall node) through
  ``UA * face area / total boundary area``, so the total is the lumped UA exactly.
- **Transport**: first-order upwind advection; diffusion by an effective conductivity of the gas,
  ``k_eff = rho cp (nu / Pr + nu_t / Pr_t)`` with the indoor-air zero-equation model of Chen & Xu (1998),
  ``nu_t = 0.03874 |u| l`` (``l`` the distance to the cylinder wall, at least a tenth of the radius, since the
  inner film is in the wall's Robin coefficient; ``|u|`` at least the
  mean speed of the open gas, since fan jets and wall convection stir corners the potential flow leaves still),
  ``Pr_t = 0.9``. Racks and exchangers are
  enclosures: heat crosses their faces only with the flow.

The operator depends on the geometry, flows and conductances, not on heat or sea temperature, so it is factorised
once (SuperLU) and every solve after the first is a back-substitution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import LinearOperator, bicgstab, spilu, splu

__all__ = [
    "CylinderGeometry",
    "Box",
    "Layout",
    "Grid",
    "FieldProblem",
    "rack_layout",
    "build_field_problem",
    "solve_steady",
    "cabin_field_problem",
    "step_transient",
    "cabin_field",
    "CHEN_XU_CONSTANT",
    "KIND_ROOM",
    "KIND_RACK",
    "KIND_EXCHANGER",
    "KIND_PLENUM",
    "TURBULENT_PRANDTL",
]

RACK_SIZE_M = (0.6, 1.2, 2.0)
"""Rack width along its row, depth across it, height [m] (a standard 600 x 1200 mm, 42U-class cabinet)."""
EXCHANGER_LENGTH_M = 0.6
"""Length of an exchanger unit along the row [m]; depth and height as the racks'."""
PLENUM_HEIGHT_M = 0.4
DECK_HEIGHT_M = 4.0
AISLE_M = 1.2
MARGIN_M = 0.3
"""Clearance from the curved wall to racks and exchangers, and above the racks [m]."""
CHEN_XU_CONSTANT = 0.03874
"""nu_t = 0.03874 |u| l: Chen & Xu (1998), Energy and Buildings 28, 137-144 (zero-equation indoor-air model)."""
TURBULENT_PRANDTL = 0.9
GAS_KINEMATIC_VISCOSITY_M2_S = 1.6e-5
"""Nitrogen (and air) near 30 C and 1 atm (NIST WebBook); molecular Prandtl number 0.71."""
GAS_PRANDTL = 0.71
KIND_ROOM, KIND_RACK, KIND_EXCHANGER, KIND_PLENUM = 0, 1, 2, 3
"""Codes of ``FieldProblem.cell_kind``: open room above a floor, rack, exchanger, plenum under a floor."""
NITROGEN_DENSITY_KG_M3 = 1.127
NITROGEN_CP_J_KGK = 1041.0


@dataclass(frozen=True)
class CylinderGeometry:
    """A closed cylinder. ``vertical``: axis z, ``length_m`` is the height; ``horizontal``: axis x [m]."""

    diameter_m: float
    length_m: float
    orientation: str = "vertical"

    def __post_init__(self) -> None:
        if not (self.diameter_m > 0 and self.length_m > 0):
            raise ValueError("diameter_m and length_m must be > 0")
        if self.orientation not in ("vertical", "horizontal"):
            raise ValueError(f"orientation must be 'vertical' or 'horizontal', got {self.orientation!r}")

    @property
    def extent_m(self) -> tuple[float, float, float]:
        d, length = self.diameter_m, self.length_m
        return (d, d, length) if self.orientation == "vertical" else (length, d, d)

    @property
    def volume_m3(self) -> float:
        return math.pi * self.diameter_m ** 2 / 4.0 * self.length_m

    def radial_m(self, x, y, z):
        """Distance from the axis [m]."""
        r = self.diameter_m / 2.0
        return np.hypot(x - r, y - r) if self.orientation == "vertical" else np.hypot(y - r, z - r)

    def wall_distance_m(self, x, y, z):
        """Distance to the nearest wall (curved side or flat end) [m]."""
        r = self.diameter_m / 2.0
        axial = z if self.orientation == "vertical" else x
        return np.minimum(r - self.radial_m(x, y, z), np.minimum(axial, self.length_m - axial))


@dataclass(frozen=True)
class Box:
    """An axis-aligned box: lower corner ``origin_m`` and ``size_m`` (x, y, z) [m]."""

    origin_m: tuple[float, float, float]
    size_m: tuple[float, float, float]


@dataclass(frozen=True)
class Layout:
    """Racks and exchangers (boxes), their decks, and each deck's ``(bottom_m, floor_m, top_m)`` heights."""

    racks: tuple[Box, ...]
    exchangers: tuple[Box, ...]
    decks: tuple[tuple[float, float, float], ...]
    rack_deck: tuple[int, ...]
    exchanger_deck: tuple[int, ...]


@dataclass
class Grid:
    """Uniform grid over the cylinder's bounding box; ``index[i, j, k]`` is the unknown number or -1."""

    shape: tuple[int, int, int]
    spacing_m: tuple[float, float, float]
    active: np.ndarray
    index: np.ndarray

    @property
    def cell_count(self) -> int:
        return int(self.active.sum())

    def centres_m(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return tuple(np.meshgrid(*[(np.arange(n) + 0.5) * h for n, h in zip(self.shape, self.spacing_m)],
                                 indexing="ij"))


@dataclass
class FieldProblem:
    """Everything a solve needs: grid, operator ``A`` [W K-1] (``A T = b``), source and sink terms, flows."""

    geometry: CylinderGeometry
    layout: Layout
    grid: Grid
    operator: sp.csr_matrix
    capacity_j_k: np.ndarray
    rack_cells: list[np.ndarray]
    hx_conductance_w_k: np.ndarray
    wall_conductance_w_k: np.ndarray
    rack_inlet_faces: tuple[np.ndarray, np.ndarray]
    """Cells under every rack's inlet face and the capacity flux through each [W K-1], rack after rack."""
    hx_inlet_faces: tuple[np.ndarray, np.ndarray]
    gas_capacity_w_k: float
    exchanger_g_w_k: float
    wall_ua_w_k: float
    max_divergence_w_k: float
    face_flux_w_k: tuple[np.ndarray, np.ndarray, np.ndarray]
    k_eff_w_mk: np.ndarray
    cell_kind: np.ndarray = field(repr=False, default=None)
    aggregates: np.ndarray = field(repr=False, default=None)
    rack_inlet_counts: tuple[int, ...] = ()
    """How many of ``rack_inlet_faces`` belong to each rack, in rack order."""
    _precond: object = field(default=None, repr=False)

    @property
    def cell_count(self) -> int:
        return self.grid.cell_count

    def preconditioner(self) -> LinearOperator:
        """Two-level preconditioner of the operator, built once (see :func:`two_level_preconditioner`)."""
        if self._precond is None:
            self._precond = two_level_preconditioner(self.operator, self.aggregates)
        return self._precond


# ---------------------------------------------------------------------------------------------------------------
# layout


def _row_capacity(half_chord_m: float, width_m: float) -> int:
    usable = 2.0 * (half_chord_m - MARGIN_M) - 2.0 * EXCHANGER_LENGTH_M
    return max(0, int(math.floor(usable / width_m + 1e-9)))


def _share(n: int, capacities: list[int]) -> list[int]:
    """Share ``n`` racks over rows in proportion to capacity, remainders to the largest rows (centre first)."""
    total = sum(capacities)
    if n > total:
        raise ValueError(f"{n} racks do not fit: room for {total}")
    counts = [int(n * c // total) for c in capacities]
    order = sorted(range(len(capacities)), key=lambda i: (-capacities[i], abs(i - (len(capacities) - 1) / 2)))
    while sum(counts) < n:
        for i in order:
            if sum(counts) < n and counts[i] < capacities[i]:
                counts[i] += 1
    return counts


def _row(x_centre, y_centre, z_floor, count, deck, racks, hxs, rack_deck, hx_deck, size):
    w, d, h = size
    x0 = x_centre - count * w / 2.0
    for m in range(count):
        racks.append(Box((x0 + m * w, y_centre - d / 2.0, z_floor), (w, d, h)))
        rack_deck.append(deck)
    for xh in (x0 - EXCHANGER_LENGTH_M, x0 + count * w):
        hxs.append(Box((xh, y_centre - d / 2.0, z_floor), (EXCHANGER_LENGTH_M, d, h)))
        hx_deck.append(deck)


def rack_layout(geometry: CylinderGeometry, rack_count: int, rack_size_m: tuple[float, float, float] = RACK_SIZE_M,
                deck_height_m: float = DECK_HEIGHT_M) -> Layout:
    """Racks in rows with an exchanger at both ends of every row, on decks with a plenum under each floor.

    Vertical: ``round(L / deck_height_m)`` decks (more if the racks do not fit), up to as many rows a deck as fit
    the circle (pitch = rack depth + ``AISLE_M``), racks shared over decks and rows evenly. Horizontal: one floor
    at 20 % of the diameter, two rows along the axis either side of an aisle, rack depth and height shrunk to fit.
    Raises ``ValueError`` if the racks cannot fit.
    """
    if rack_count < 1:
        raise ValueError("rack_count must be >= 1")
    g = geometry
    r = g.diameter_m / 2.0
    racks, hxs, rack_deck, hx_deck = [], [], [], []
    if g.orientation == "vertical":
        w, d, h = rack_size_m
        n_rows = int(math.floor((2.0 * (r - MARGIN_M) - d) / (d + AISLE_M) + 1e-9)) + 1
        offsets = [(i - (n_rows - 1) / 2.0) * (d + AISLE_M) for i in range(n_rows)]
        caps = [_row_capacity(math.sqrt(max(r ** 2 - (abs(o) + d / 2.0) ** 2, 0.0)), w) for o in offsets]
        if sum(caps) == 0:
            raise ValueError("no rack fits the cabin's diameter")
        n_decks = max(1, int(round(g.length_m / deck_height_m)), math.ceil(rack_count / sum(caps)))
        height = g.length_m / n_decks
        if PLENUM_HEIGHT_M + h + MARGIN_M > height:
            raise ValueError(f"{rack_count} racks need {n_decks} decks of {height:.2f} m: too low for the racks")
        per_deck = [rack_count // n_decks + (1 if k < rack_count % n_decks else 0) for k in range(n_decks)]
        decks = []
        for k, n in enumerate(per_deck):
            bottom = k * height
            floor = bottom + PLENUM_HEIGHT_M
            decks.append((bottom, floor, bottom + height))
            for o, c in zip(offsets, _share(n, caps)):
                if c:
                    _row(r, r + o, floor, c, k, racks, hxs, rack_deck, hx_deck, (w, d, h))
    else:
        floor = 0.2 * g.diameter_m
        half_floor = math.sqrt(r ** 2 - (r - floor) ** 2)
        aisle = min(AISLE_M, 0.25 * g.diameter_m)
        d = min(rack_size_m[1], (half_floor - MARGIN_M - aisle / 2.0))
        y_outer = aisle / 2.0 + d
        if d <= 0.1 or y_outer >= r:
            raise ValueError("the cabin is too narrow for two rows of racks")
        ceiling = r + math.sqrt(r ** 2 - y_outer ** 2) - MARGIN_M
        h = min(rack_size_m[2], ceiling - floor)
        w = rack_size_m[0]
        per_row = [math.ceil(rack_count / 2), rack_count // 2]
        if per_row[0] * w + 2 * EXCHANGER_LENGTH_M > g.length_m - 2 * MARGIN_M or h <= 0.2:
            raise ValueError(f"{rack_count} racks do not fit a {g.length_m} m horizontal cabin in two rows")
        decks = [(0.0, floor, g.diameter_m)]
        for sign, n in zip((-1.0, 1.0), per_row):
            if n:
                _row(g.length_m / 2.0, r + sign * (aisle / 2.0 + d / 2.0), floor, n, 0, racks, hxs, rack_deck,
                     hx_deck, (w, d, h))
    return Layout(tuple(racks), tuple(hxs), tuple(decks), tuple(rack_deck), tuple(hx_deck))


# ---------------------------------------------------------------------------------------------------------------
# linear solver

AGGREGATE_CELLS = 4
"""Edge of the cubes of cells merged into one unknown of the coarse level [cells]."""
ILU_DROP_TOL, ILU_FILL_FACTOR = 1e-2, 2.0


def two_level_preconditioner(matrix: sp.spmatrix, aggregates: np.ndarray) -> LinearOperator:
    """Coarse-grid correction on aggregates, then incomplete LU: ``x = Z Ac^-1 Z^T r``, ``x += ILU^-1 (r - A x)``.

    ``aggregates`` labels every unknown with its coarse unknown; ``Ac = Z^T A Z`` (Galerkin, piecewise-constant
    ``Z``) is solved directly (a few thousand unknowns). The coarse level removes the slow, nearly uniform modes:
    heat leaves the cabin only through the exchangers and the wall, so the mean temperature is weakly determined
    and ILU alone (a local smoother) converges slowly. Measured in ``benchmarks/field.py``.
    """
    a = matrix.tocsr()
    n = a.shape[0]
    z = sp.csr_matrix((np.ones(n), (np.arange(n), aggregates)), shape=(n, int(aggregates.max()) + 1))
    zt = z.T.tocsr()
    coarse = splu((zt @ a @ z).tocsc(), permc_spec="MMD_AT_PLUS_A")
    ilu = spilu(a.tocsc(), drop_tol=ILU_DROP_TOL, fill_factor=ILU_FILL_FACTOR)

    def apply(r):
        x = z @ coarse.solve(zt @ r)
        return x + ilu.solve(r - a @ x)

    return LinearOperator(a.shape, apply, dtype=float)


def _iterative_solve(matrix, rhs, precond, x0=None, rtol: float = 1e-11) -> np.ndarray:
    x, info = bicgstab(matrix, rhs, x0=x0, M=precond, rtol=rtol, atol=0.0, maxiter=2000)
    if info != 0:
        raise RuntimeError(f"BiCGSTAB did not converge (info={info})")
    return x


def _aggregates(grid: Grid, region: np.ndarray) -> np.ndarray:
    """Coarse label of every active cell: its cube of ``AGGREGATE_CELLS`` cells and its region."""
    ii, jj, kk = np.nonzero(grid.active)
    b = AGGREGATE_CELLS
    key = ((ii // b) * (grid.shape[1] // b + 1) + jj // b) * (grid.shape[2] // b + 1) + kk // b
    _, labels = np.unique(key * (int(region.max()) + 1) + region, return_inverse=True)
    return labels.ravel()


# ---------------------------------------------------------------------------------------------------------------
# grid and flow


def _snap(value_m: float, h: float) -> int:
    """Nearest face index; half-even rounding keeps mirror-symmetric layouts symmetric on even grids."""
    return int(np.round(np.round(value_m / h, 9)))


def _box_ranges(box: Box, grid: Grid) -> tuple[slice, slice, slice]:
    out = []
    for o, s, h, n in zip(box.origin_m, box.size_m, grid.spacing_m, grid.shape):
        a, b = max(_snap(o, h), 0), min(_snap(o + s, h), n)
        if b <= a:
            raise ValueError(f"resolution too coarse: a {s:.2f} m box gets no cell at spacing {h:.3f} m")
        out.append(slice(a, b))
    return tuple(out)


def _make_grid(geometry: CylinderGeometry, resolution_m: float) -> Grid:
    ext = geometry.extent_m
    shape = tuple(max(4, int(round(e / resolution_m))) for e in ext)
    spacing = tuple(e / n for e, n in zip(ext, shape))
    centres = np.meshgrid(*[(np.arange(n) + 0.5) * h for n, h in zip(shape, spacing)], indexing="ij")
    active = geometry.radial_m(*centres) < geometry.diameter_m / 2.0
    index = np.full(shape, -1, dtype=np.int64)
    index[active] = np.arange(int(active.sum()))
    return Grid(shape, spacing, active, index)


def _faces(grid: Grid, axis: int):
    """Interior faces along ``axis`` as (a, b) cell multi-index slices of the grid arrays."""
    n = grid.shape[axis]
    lo = [slice(None)] * 3
    hi = [slice(None)] * 3
    lo[axis], hi[axis] = slice(0, n - 1), slice(1, n)
    return tuple(lo), tuple(hi)


def _build_flow(grid: Grid, layout: Layout, rack_boxes, hx_boxes, kind, deck_of_k, floor_k,
                capacity_w_k: float):
    """Face capacity fluxes [W K-1] on the interior faces of each axis, divergence-free in every active cell."""
    flux = [np.zeros([n - 1 if a == ax else n for a, n in enumerate(grid.shape)]) for ax in range(3)]
    fixed = [np.zeros_like(f, dtype=bool) for f in flux]
    n_racks = len(rack_boxes)
    per_rack = capacity_w_k / n_racks
    deck_flow = np.zeros(len(layout.decks))
    for deck in layout.rack_deck[:len(rack_boxes)]:
        deck_flow[deck] += per_rack
    hx_cols = np.array([(s[0].stop - s[0].start) * (s[1].stop - s[1].start) for s in hx_boxes], float)
    hx_flow = np.zeros(len(hx_boxes))
    for deck in range(len(layout.decks)):
        members = [m for m, dk in enumerate(layout.exchanger_deck) if dk == deck]
        if deck_flow[deck] > 0 and not members:
            raise ValueError(f"deck {deck} has racks but no exchanger")
        for m in members:
            hx_flow[m] = -deck_flow[deck] * hx_cols[m] / hx_cols[members].sum()
    for boxes, flows in ((rack_boxes, [per_rack] * n_racks), (hx_boxes, hx_flow)):
        for (si, sj, sk), q in zip(boxes, flows):
            ncol = (si.stop - si.start) * (sj.stop - sj.start)
            # vertical faces from the one below the box (index k0 - 1 in the interior-face array) to its top
            kz = slice(sk.start - 1, sk.stop)
            if sk.start < 1 or sk.stop >= grid.shape[2]:
                raise ValueError("a rack or exchanger touches the top or bottom of the grid")
            flux[2][si, sj, kz] = q / ncol
            fixed[2][si, sj, kz] = True
            for ax, s in ((0, si), (1, sj)):  # closed sides
                for face in (s.start - 1, s.stop - 1):
                    if 0 <= face < flux[ax].shape[ax]:
                        idx = [si, sj, sk]
                        idx[ax] = face
                        fixed[ax][tuple(idx)] = True
    # free faces: between two open active cells, not across a floor or a deck boundary
    open_ = grid.active & (kind == 0)
    rows, cols, cond = [], [], []
    free = []
    areas = (grid.spacing_m[1] * grid.spacing_m[2], grid.spacing_m[0] * grid.spacing_m[2],
             grid.spacing_m[0] * grid.spacing_m[1])
    for ax in range(3):
        lo, hi = _faces(grid, ax)
        ok = open_[lo] & open_[hi] & ~fixed[ax]
        if ax == 2:
            kk = np.arange(grid.shape[2] - 1)
            closed = (deck_of_k[kk] != deck_of_k[kk + 1]) | np.isin(kk + 1, floor_k)
            ok &= ~closed[None, None, :]
        free.append(ok)
        g = areas[ax] / grid.spacing_m[ax]
        a, b = grid.index[lo][ok], grid.index[hi][ok]
        rows += [a, b]
        cols += [b, a]
        cond += [np.full(a.size, -g)] * 2
    n = grid.cell_count
    lap = sp.coo_matrix((np.concatenate(cond), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)).tocsr()
    lap = lap - sp.diags(np.asarray(lap.sum(axis=1)).ravel())
    # divergence of the fixed fluxes (net outflow) per active cell
    div = _divergence(grid, flux)
    b = -div
    opened = grid.index[open_]
    sub = lap[opened][:, opened].tocsr()
    ncomp, labels = connected_components(sub, directed=False)
    pins = np.zeros(ncomp, dtype=np.int64)
    for c in range(ncomp):
        members = np.flatnonzero(labels == c)
        if abs(b[opened[members]].sum()) > 1e-9 * capacity_w_k:
            raise ValueError("a closed region of the cabin has unbalanced rack and exchanger flow")
        pins[c] = members[0]
    keep = np.ones(opened.size)
    keep[pins] = 0.0
    sub = sp.diags(keep) @ sub + sp.diags(1.0 - keep)
    rhs = b[opened] * keep
    agg_all = _aggregates(grid, np.zeros(grid.cell_count, dtype=np.int64))
    _, agg = np.unique(agg_all[opened] * (ncomp + 1) + labels, return_inverse=True)
    scale = max(np.abs(rhs).max(), 1e-300)
    phi_open = _iterative_solve(sub, rhs / scale, two_level_preconditioner(sub, agg.ravel()), rtol=1e-13) * scale
    phi = np.zeros(grid.shape)
    phi[open_] = phi_open
    for ax in range(3):
        lo, hi = _faces(grid, ax)
        g = areas[ax] / grid.spacing_m[ax]
        flux[ax] = np.where(free[ax], g * (phi[lo] - phi[hi]), flux[ax])
    return flux, fixed, free


def _divergence(grid: Grid, flux) -> np.ndarray:
    """Net outflow of every active cell from interior-face fluxes [same unit as the fluxes]."""
    out = np.zeros(grid.shape)
    for ax in range(3):
        lo, hi = _faces(grid, ax)
        out[lo] += flux[ax]
        out[hi] -= flux[ax]
    return out[grid.active]


# ---------------------------------------------------------------------------------------------------------------
# the problem


def build_field_problem(geometry: CylinderGeometry, layout: Layout, gas_capacity_w_k: float, exchanger_g_w_k: float,
                        wall_ua_w_k: float, resolution_m: float = 0.5,
                        gas_density_kg_m3: float = NITROGEN_DENSITY_KG_M3, gas_cp_j_kgk: float = NITROGEN_CP_J_KGK,
                        exchanger_model: str = "inlet") -> FieldProblem:
    """Voxelise the cabin, build the air loop's flow and assemble the finite-volume operator.

    Parameters
    ----------
    geometry, layout : the cylinder and its racks and exchangers (:func:`rack_layout`)
    gas_capacity_w_k : the loop's capacity rate ``C_a = m_a cp_a`` [W K-1], all of it through the racks
    exchanger_g_w_k : the lumped exchanger conductance ``G_hx = eps C_min`` [W K-1] (< ``C_a``)
    wall_ua_w_k : conductance from the gas to the wall reference temperature [W K-1]
    resolution_m : target cell size [m]; cells are ``extent / round(extent / resolution)``
    exchanger_model : ``"inlet"`` (cell conductances sized so a column removes ``c_col G_hx / C_a (T_in - T_sea)``,
        the lumped law) or ``"uniform"`` (the cell conductances sum to ``G_hx``; removes less than the lumped model)
    """
    if not 0.0 <= exchanger_g_w_k < gas_capacity_w_k:
        raise ValueError("exchanger_g_w_k must be in [0, gas_capacity_w_k)")
    if wall_ua_w_k < 0:
        raise ValueError("wall_ua_w_k must be >= 0")
    grid = _make_grid(geometry, resolution_m)
    hx_, hy, hz = grid.spacing_m
    nz = grid.shape[2]
    kind = np.zeros(grid.shape, dtype=np.int8)
    rack_boxes = [_box_ranges(b, grid) for b in layout.racks]
    hx_boxes = [_box_ranges(b, grid) for b in layout.exchangers]
    for boxes, code in ((rack_boxes, 1), (hx_boxes, 2)):
        for s in boxes:
            if (kind[s] != 0).any():
                raise ValueError("racks or exchangers overlap at this resolution")
            if not grid.active[s].all():
                raise ValueError("a rack or exchanger reaches outside the cylinder at this resolution")
            kind[s] = code
    deck_of_k = np.full(nz, -1)
    floor_k = []
    for d, (bottom, floor, top) in enumerate(layout.decks):
        kb, kf, kt = _snap(bottom, hz), _snap(floor, hz), _snap(top, hz)
        if not kb < kf < kt:
            raise ValueError("resolution too coarse for the plenum under the floor")
        deck_of_k[kb:kt] = d
        floor_k.append(kf)
    for s in rack_boxes + hx_boxes:
        if s[2].start not in floor_k:
            raise ValueError("a rack or exchanger does not stand on a floor")
    flux, fixed, free = _build_flow(grid, layout, rack_boxes, hx_boxes, kind, deck_of_k, np.array(floor_k),
                                    gas_capacity_w_k)
    div = _divergence(grid, flux)

    # effective conductivity from the cell velocity (Chen & Xu 1998)
    rho_cp = gas_density_kg_m3 * gas_cp_j_kgk
    areas = (hy * hz, hx_ * hz, hx_ * hy)
    vel2 = np.zeros(grid.shape)
    for ax in range(3):
        pad = [(0, 0)] * 3
        pad[ax] = (1, 1)
        f = np.pad(flux[ax], pad)
        lo = [slice(None)] * 3
        hi = [slice(None)] * 3
        lo[ax], hi[ax] = slice(0, -1), slice(1, None)
        vel2 += (0.5 * (f[tuple(lo)] + f[tuple(hi)]) / (rho_cp * areas[ax])) ** 2
    # the inner film is in the Robin coefficient (the lumped inside h), so the first cell is bulk gas: the mixing
    # length is not cut below a tenth of the radius near the wall
    wall_d = np.maximum(geometry.wall_distance_m(*grid.centres_m()), 0.05 * geometry.diameter_m)
    speed = np.sqrt(vel2)
    # the potential flow carries the mean loop; fan jets and the walls' natural convection also stir the dead
    # corners it leaves nearly still, so the speed in the model is floored at the mean speed of the open gas
    speed = np.maximum(speed, speed[grid.active & (kind == 0)].mean())
    nu_t = CHEN_XU_CONSTANT * speed * wall_d
    k_eff = rho_cp * (GAS_KINEMATIC_VISCOSITY_M2_S / GAS_PRANDTL + nu_t / TURBULENT_PRANDTL)

    n = grid.cell_count
    plenum = np.zeros(nz, dtype=bool)
    for (bottom, _floor, _), kf in zip(layout.decks, floor_k):
        plenum[_snap(bottom, hz):kf] = True
    cell_kind = np.where(kind == 0, np.where(plenum[None, None, :], KIND_PLENUM, KIND_ROOM), kind)[grid.active]
    rows, cols, vals = [], [], []
    for ax in range(3):
        lo, hi = _faces(grid, ax)
        both = grid.active[lo] & grid.active[hi]
        a, b = grid.index[lo][both], grid.index[hi][both]
        f = flux[ax][both]
        fp, fm = np.maximum(f, 0.0), np.minimum(f, 0.0)
        ka, kb = k_eff[lo][both], k_eff[hi][both]
        dcond = np.where(free[ax][both], areas[ax] / grid.spacing_m[ax] * 2.0 * ka * kb / (ka + kb), 0.0)
        # row a: +fp T_a + fm T_b ; row b: -fp T_a - fm T_b ; diffusion symmetric
        rows += [a, a, b, b]
        cols += [a, b, a, b]
        vals += [fp + dcond, fm - dcond, -fp - dcond, -fm + dcond]
    # exchanger sinks
    g_hx = np.zeros(n)
    k_ratio = exchanger_g_w_k / gas_capacity_w_k
    total_cells = sum(int(np.prod([s.stop - s.start for s in box])) for box in hx_boxes)
    for s in hx_boxes:
        col_flux = -flux[2][s[0], s[1], s[2].start]  # inflow at the top face of the column, per column
        ncells = s[2].stop - s[2].start
        if exchanger_model == "inlet":
            per_cell = col_flux * ((1.0 - k_ratio) ** (-1.0 / ncells) - 1.0)
        elif exchanger_model == "uniform":
            per_cell = np.full_like(col_flux, exchanger_g_w_k / total_cells)
        else:
            raise ValueError("exchanger_model must be 'inlet' or 'uniform'")
        g_hx[grid.index[s].ravel()] = np.broadcast_to(per_cell[:, :, None], grid.index[s].shape).ravel()
    # wall: boundary faces of the voxelised cylinder share UA by area
    padded = np.pad(grid.active, 1)
    wall_area = np.zeros(grid.shape)
    core = (slice(1, -1),) * 3
    for ax in range(3):
        for shift in (-1, 1):
            nb = np.roll(padded, shift, axis=ax)[core]
            wall_area += np.where(grid.active & ~nb, areas[ax], 0.0)
    wall_area = wall_area[grid.active]
    g_wall = wall_ua_w_k * wall_area / wall_area.sum()
    diag = g_hx + g_wall
    rows.append(np.arange(n))
    cols.append(np.arange(n))
    vals.append(diag)
    op = sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)).tocsr()
    cell_volume = hx_ * hy * hz
    capacity = np.full(n, rho_cp * cell_volume * geometry.volume_m3 / (n * cell_volume))

    def inlet_faces(boxes, from_below: bool):
        up, q = [], []
        for s in boxes:
            k_up = s[2].start - 1 if from_below else s[2].stop
            up.append(grid.index[s[0], s[1], k_up].ravel())
            q.append(np.abs(flux[2][s[0], s[1], s[2].start - 1 if from_below else s[2].stop - 1]).ravel())
        return np.concatenate(up), np.concatenate(q)

    return FieldProblem(
        geometry=geometry, layout=layout, grid=grid, operator=op, capacity_j_k=capacity,
        rack_cells=[grid.index[s].ravel() for s in rack_boxes], hx_conductance_w_k=g_hx,
        wall_conductance_w_k=g_wall, rack_inlet_faces=inlet_faces(rack_boxes, True),
        hx_inlet_faces=inlet_faces(hx_boxes, False), gas_capacity_w_k=gas_capacity_w_k,
        exchanger_g_w_k=exchanger_g_w_k, wall_ua_w_k=wall_ua_w_k, max_divergence_w_k=float(np.abs(div).max()),
        face_flux_w_k=tuple(flux), k_eff_w_mk=k_eff[grid.active], cell_kind=cell_kind,
        rack_inlet_counts=tuple(int(grid.index[b[0], b[1], 0].size) for b in rack_boxes),
        aggregates=_aggregates(grid, (kind.astype(np.int64) * len(layout.decks)
                                      + np.maximum(deck_of_k, 0)[None, None, :])[grid.active]))


def _rhs(problem: FieldProblem, rack_heat_w, sea_temp_c: float, wall_ref_temp_c: float | None) -> np.ndarray:
    heat = np.broadcast_to(np.asarray(rack_heat_w, dtype=float), (len(problem.rack_cells),))
    b = problem.hx_conductance_w_k * sea_temp_c
    b = b + problem.wall_conductance_w_k * (sea_temp_c if wall_ref_temp_c is None else wall_ref_temp_c)
    for cells, q in zip(problem.rack_cells, heat):
        b[cells] += q / cells.size
    return b


def _to_grid(problem: FieldProblem, t: np.ndarray) -> np.ndarray:
    out = np.full(problem.grid.shape, np.nan)
    out[problem.grid.active] = t
    return out


def diagnostics(problem: FieldProblem, t: np.ndarray, rack_heat_w, sea_temp_c: float,
                wall_ref_temp_c: float | None = None) -> dict:
    """Heat balance and the temperatures the lumped model has, from an active-cell temperature vector [C]."""
    ref = sea_temp_c if wall_ref_temp_c is None else wall_ref_temp_c
    source = float(np.sum(rack_heat_w)) if np.ndim(rack_heat_w) else float(rack_heat_w) * len(problem.rack_cells)
    hx = float(problem.hx_conductance_w_k @ (t - sea_temp_c))
    wall = float(problem.wall_conductance_w_k @ (t - ref))
    cells, q = problem.rack_inlet_faces
    hcells, hq = problem.hx_inlet_faces
    rack_peak = np.array([t[c].max() for c in problem.rack_cells])
    return {
        "cells": problem.cell_count,
        "source_w": source,
        "exchanger_sink_w": hx,
        "wall_sink_w": wall,
        "energy_residual": (source - hx - wall) / max(abs(source), 1e-300),
        "volume_mean_c": float(np.average(t, weights=problem.capacity_j_k)),
        "room_mean_c": float(t[problem.cell_kind == KIND_ROOM].mean()),
        "rack_inlet_c": float(q @ t[cells] / q.sum()),
        "exchanger_inlet_c": float(hq @ t[hcells] / hq.sum()),
        "rack_peak_c": rack_peak,
        "peak_c": float(t.max()),
        "max_divergence_w_k": problem.max_divergence_w_k,
    }


def solve_steady(problem: FieldProblem, rack_heat_w, sea_temp_c: float,
                 wall_ref_temp_c: float | None = None) -> tuple[np.ndarray, dict]:
    """Steady temperature field [C], shape ``grid.shape``, NaN outside the cylinder, and diagnostics.

    ``rack_heat_w``: heat given to the gas in each rack [W] (a scalar applies to every rack);
    ``wall_ref_temp_c``: temperature behind the wall conductance, the sea by default [C].
    Diagnostics: ``source_w``, ``exchanger_sink_w``, ``wall_sink_w``, ``energy_residual`` (relative),
    ``volume_mean_c``, ``room_mean_c`` (open gas above the floors), ``rack_inlet_c`` and ``exchanger_inlet_c``
    (flow-weighted), ``rack_peak_c`` (per rack), ``peak_c``, ``max_divergence_w_k``, ``cells``.
    """
    b = _rhs(problem, rack_heat_w, sea_temp_c, wall_ref_temp_c)
    t = _iterative_solve(problem.operator, b, problem.preconditioner(), x0=np.full(b.size, float(sea_temp_c)))
    return _to_grid(problem, t), diagnostics(problem, t, rack_heat_w, sea_temp_c, wall_ref_temp_c)


def step_transient(problem: FieldProblem, temp_c: np.ndarray, dt_s: float, rack_heat_w, sea_temp_c: float,
                   wall_ref_temp_c: float | None = None) -> np.ndarray:
    """One implicit-Euler step ``(C/dt + A) T1 = C/dt T0 + b`` of length ``dt_s`` [s]; field in, field out [C]."""
    if not dt_s > 0:
        raise ValueError("dt_s must be > 0")
    t0 = np.asarray(temp_c)[problem.grid.active]
    c = problem.capacity_j_k / dt_s
    m = (problem.operator + sp.diags(c)).tocsr()
    rhs = c * t0 + _rhs(problem, rack_heat_w, sea_temp_c, wall_ref_temp_c)
    t1 = _iterative_solve(m, rhs, two_level_preconditioner(m, problem.aggregates), x0=t0)
    return _to_grid(problem, t1)


# ---------------------------------------------------------------------------------------------------------------
# from the lumped model's numbers

_CACHE: dict = {}


def cabin_field_problem(params, geometry: CylinderGeometry, rack_count: int, resolution_m: float = 0.5,
                        fan_speed: float = 1.0, pump_speed: float = 1.0, wall_ua_w_k: float | None = None,
                        gas_density_kg_m3: float = NITROGEN_DENSITY_KG_M3,
                        gas_cp_j_kgk: float = NITROGEN_CP_J_KGK) -> FieldProblem:
    """The field problem :func:`cabin_field` solves, built (or taken from the cache) without solving it: for a caller
    that needs only its operator (``physics.rack_inlets``). ``wall_ua_w_k``: the gas's conductance to the wall
    reference [W K-1]; None is the steady case's, ``ua_gas_wall`` and ``ua_wall_sea`` in series to the sea."""
    from physics.thermal import inlet_row

    c_a = params.gas_capacity_design_w_k * fan_speed
    g_hx = inlet_row(params, fan_speed, pump_speed)[1] * c_a
    if wall_ua_w_k is None:
        ugw, uws = params.ua_gas_wall_w_k, params.ua_wall_sea_w_k
        wall_ua_w_k = 0.0 if ugw == 0 or uws == 0 else 1.0 / (1.0 / ugw + 1.0 / uws)
    key = (params, geometry, rack_count, resolution_m, fan_speed, pump_speed, wall_ua_w_k, gas_density_kg_m3,
           gas_cp_j_kgk)
    problem = _CACHE.get(key)
    if problem is None:
        layout = rack_layout(geometry, rack_count)
        problem = build_field_problem(geometry, layout, c_a, g_hx, wall_ua_w_k, resolution_m, gas_density_kg_m3,
                                      gas_cp_j_kgk)
        if len(_CACHE) >= 8:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = problem
    return problem


def cabin_field(params, geometry: CylinderGeometry, rack_count: int, rack_heat_w, sea_temp_c: float,
                resolution_m: float = 0.5, fan_speed: float = 1.0, pump_speed: float = 1.0,
                lumped_state_c=None, gas_density_kg_m3: float = NITROGEN_DENSITY_KG_M3,
                gas_cp_j_kgk: float = NITROGEN_CP_J_KGK) -> tuple[np.ndarray, dict, FieldProblem]:
    """The field of a cabin from the numbers its lumped network uses.

    ``params`` is a :class:`physics.thermal.CabinThermal`; ``C_a``, ``G_hx`` come from it at the given speeds.
    ``rack_heat_w``: per rack [W], or a scalar total shared evenly. Without ``lumped_state_c`` the field is the
    steady state: the wall conductance is ``ua_gas_wall`` and ``ua_wall_sea`` in series, to the sea. With
    ``lumped_state_c = (T_it, T_gas, T_wall)`` (the lumped state at time t) the field is the gas's quasi-steady
    state at that time (the gas's own time constant ``C_gas / C_a`` is seconds): the heat into the gas is
    ``g_it (T_it - T_gas)`` shared as ``rack_heat_w``, and the wall reference is ``T_wall`` through
    ``ua_gas_wall``. Problems are cached by their inputs (:func:`cabin_field_problem`), so asking again costs a
    back-substitution.
    """
    from physics.thermal import network_matrices

    heat = np.asarray(rack_heat_w, dtype=float)
    if heat.ndim == 0:
        heat = np.full(rack_count, float(heat) / rack_count)
    if heat.shape != (rack_count,):
        raise ValueError(f"rack_heat_w must be a scalar or {rack_count} values")
    if lumped_state_c is None:
        ua, ref = None, None
    else:
        t_it, t_gas, t_wall = (float(v) for v in lumped_state_c)
        a, _ = network_matrices(params, fan_speed, pump_speed)
        g_it = a[0, 1] * params.c_it_j_k
        total = heat.sum()
        share = heat / total if total > 0 else np.full(rack_count, 1.0 / rack_count)
        heat = share * g_it * (t_it - t_gas)
        ua, ref = params.ua_gas_wall_w_k, t_wall
    problem = cabin_field_problem(params, geometry, rack_count, resolution_m, fan_speed, pump_speed, ua,
                                  gas_density_kg_m3, gas_cp_j_kgk)
    temp, diag = solve_steady(problem, heat, sea_temp_c, ref)
    return temp, diag, problem
