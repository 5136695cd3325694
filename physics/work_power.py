"""Power by work and performance under a power cap: what a server draws for the work it runs, and how much a power
limit slows that work.

Power by work. An accelerator server is split into its accelerators and the rest (the *host*: CPUs, memory,
switches, NICs, fans, power-supply losses)::

    P(work) = P_host + n * TDP * g(work),     P_host = f_obs * P_peak - n * TDP

with ``g(work)`` the accelerators' draw as a share of their TDP and ``f_obs`` the share of its rating an 8 x H100
node was measured to reach with its GPUs near full utilisation (Latif et al. 2025: 8.4 kW of 10.2 kW). The
published figures, all on H100/H200 nodes:

- ``inference_prefill``: g = 1. The prompt (prefill) phase is compute-bound and "typically reaches or exceeds GPU
  TDP" (Patel et al., "Characterizing Power Management Opportunities for LLMs in the Cloud", ASPLOS 2024, as
  quoted by G. Lockwood's notes, glennklockwood.com/garden/training-vs-inference); Splitwise (Patel et al., ISCA
  2024) splits the two phases for this reason. On the H100 node: 8.4 kW, ``f_obs`` of the rating.
- ``inference_decode``: g = 0.312. Decode is memory-bound: on an H200 (700 W) it "draws only 137--300 W" across
  four attention designs (Ma, Afzal, Eitzinger & Wellein, "The Illusion of Power Capping in LLM Decode",
  arXiv 2605.11999, 2026); the midpoint, 218.5 W, over 700 W.
- ``training``: g = 0.884, so that the H100 node draws 76 % of its 10.2 kW rating, the measured mean of
  computationally intensive training (Newkirk et al., "Empirically-Calibrated H100 Node Power Models", arXiv
  2506.14551, 2025): (0.76 x 10.2 kW - 2.8 kW) / 5.6 kW.

ASSUMPTION: the host draws at every work what it drew at the H100 node's observed maximum (an upper bound for
decode, when the CPUs and fans have less to do), and the H100 node's ``f_obs`` holds for the other accelerator
servers. A CPU node's ``cpu_batch`` runs at the SPECpower_ssj2008 100 % target load: its full calibrated
throughput, so its table's last point.

Performance under a power cap. The throughput of a GPU job at a power limit, as a share of its throughput at the
default limit (the TDP), follows a published measured curve, not the clock-linear law of
``physics.servers.capped_speed_fraction``: Zeus (You, Chung & Chowdhury, NSDI 2023), trace
``summary_power_a40.csv`` of its artifact (github.com/ml-energy/zeus,
examples/research_reproducibility/zeus_nsdi23/trace): ImageNet ResNet-50, batch 256, on an NVIDIA A40 (300 W
maximum limit), time per epoch at limits of 100 to 300 W. A limit at 75 % of TDP costs 1.6 % of the throughput;
at 58 %, 18 %. Between the points the curve is linear (monotone, as the points are); below 1/3 of TDP, the lowest
limit measured, it is not defined.

ASSUMPTION: the curve, measured for a compute-bound training job on an A40, stands for compute-bound work
(training, prefill) on every accelerator, its power limit taken as a share of TDP. Memory-bound decode draws only
``g`` = 0.312 of TDP, and a limit above its draw never triggers (Ma et al. 2026); its limit is read on the curve
scaled by the reference job's own draw at the default limit (235.2 W of 300 W in the same trace) over decode's.
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np

from physics.checks import finite_array, finite_float
from physics.servers import ServerModel, busy_power_w, capped_speed_fraction

__all__ = [
    "WORK_TYPES",
    "ACCELERATOR_WORK",
    "H100_NODE_RATED_W",
    "H100_NODE_OBSERVED_MAX_W",
    "OBSERVED_MAX_FRACTION",
    "TRAINING_NODE_FRACTION",
    "DECODE_GPU_POWER_W",
    "ACCELERATOR_DRAW_FRACTION",
    "ZEUS_A40_TDP_W",
    "ZEUS_A40_POWER_LIMIT_W",
    "ZEUS_A40_TIME_PER_EPOCH_S",
    "ZEUS_A40_AVERAGE_POWER_AT_TDP_W",
    "CAP_FRACTION_POINTS",
    "THROUGHPUT_FRACTION_POINTS",
    "host_power_w",
    "work_power_w",
    "work_power_fraction",
    "work_utilisation",
    "cap_throughput_fraction",
    "server_cap_throughput_fraction",
    "capped_work_power_w",
    "accelerator_cap_w",
    "work_under_caps",
]

#: Work an accelerator server runs, and the work of a CPU node.
ACCELERATOR_WORK = ("training", "inference_prefill", "inference_decode")
WORK_TYPES = ACCELERATOR_WORK + ("cpu_batch",)

#: An 8 x H100 HGX node: manufacturer rating and the largest power measured while training with its GPUs near full
#: utilisation [W] (Latif et al., "Single-Node Power Demand During AI Training: Measurements on an 8-GPU NVIDIA H100
#: System", IEEE Access 13, 61740, 2025; arXiv 2412.08602: "approximately 8.4 kW, 18% lower than the
#: manufacturer-rated 10.2 kW").
H100_NODE_RATED_W = 10200.0
H100_NODE_OBSERVED_MAX_W = 8400.0
#: Share of its rating an accelerator server reaches with its accelerators at TDP [-].
OBSERVED_MAX_FRACTION = H100_NODE_OBSERVED_MAX_W / H100_NODE_RATED_W
#: Mean draw of 8 x H100 nodes over computationally intensive training, share of the 10.2 kW rating [-] (Newkirk,
#: Fernandez, Koomey, Latif, Strubell, Shehabi & Samaras, arXiv 2506.14551, 2025: "only 76% of the 10.2 kW").
TRAINING_NODE_FRACTION = 0.76
#: Decode draw of one H200 (700 W), lowest and highest over four attention designs [W] (Ma et al. 2026).
DECODE_GPU_POWER_W = (137.0, 300.0)

_H100_TDP_W = 700.0
_H100_HOST_W = H100_NODE_OBSERVED_MAX_W - 8 * _H100_TDP_W

#: Accelerator draw by work, share of TDP [-] (module docstring: sources and derivations).
ACCELERATOR_DRAW_FRACTION = {
    "training": (TRAINING_NODE_FRACTION * H100_NODE_RATED_W - _H100_HOST_W) / (8 * _H100_TDP_W),
    "inference_prefill": 1.0,
    "inference_decode": 0.5 * (DECODE_GPU_POWER_W[0] + DECODE_GPU_POWER_W[1]) / _H100_TDP_W,
}

#: Zeus NSDI 2023 artifact, trace/summary_power_a40.csv, imagenet resnet50 batch 256 adadelta: power limit [W] and
#: time per epoch [s]; the A40's maximum (default) limit is 300 W, and the job drew 235.2 W on average there.
ZEUS_A40_TDP_W = 300.0
ZEUS_A40_POWER_LIMIT_W = (100.0, 125.0, 150.0, 175.0, 200.0, 225.0, 250.0, 275.0, 300.0)
ZEUS_A40_TIME_PER_EPOCH_S = (10606.19, 9639.82, 6326.84, 4705.61, 4123.52, 3909.47, 3864.98, 3857.81, 3847.48)
ZEUS_A40_AVERAGE_POWER_AT_TDP_W = 235.20537892681747
#: The published curve: power limit as a share of TDP [-], and throughput as a share of the throughput at TDP [-].
CAP_FRACTION_POINTS = tuple(p / ZEUS_A40_TDP_W for p in ZEUS_A40_POWER_LIMIT_W)
THROUGHPUT_FRACTION_POINTS = tuple(ZEUS_A40_TIME_PER_EPOCH_S[-1] / t for t in ZEUS_A40_TIME_PER_EPOCH_S)
_REFERENCE_DRAW_FRACTION = ZEUS_A40_AVERAGE_POWER_AT_TDP_W / ZEUS_A40_TDP_W


def _work(work, model: ServerModel) -> str:
    """The work type, checked against the server; ValueError naming ``work`` (or ``model``) otherwise."""
    if not isinstance(model, ServerModel):
        raise ValueError(f"model: must be a ServerModel, got {type(model).__name__}")
    if work not in WORK_TYPES:
        raise ValueError(f"work: unknown work type {work!r}; known: {', '.join(WORK_TYPES)}")
    if model.is_accelerated and work == "cpu_batch":
        raise ValueError(f"work: 'cpu_batch' is work for CPU servers; {model.name} is an accelerator server "
                         f"(its work: {', '.join(ACCELERATOR_WORK)})")
    if not model.is_accelerated and work != "cpu_batch":
        raise ValueError(f"work: {work!r} runs on accelerators; {model.name} has none (its work: cpu_batch)")
    return work


def host_power_w(model: ServerModel) -> float:
    """Power of an accelerator server's host (all but the accelerators) [W]: ``f_obs * P_peak - n * TDP``, >= 0.

    Raises
    ------
    ValueError
        If ``model`` has no accelerators.
    """
    if not isinstance(model, ServerModel) or not model.is_accelerated:
        raise ValueError("model: must be a ServerModel with accelerators")
    accelerators_w = model.accelerator_count * model.accelerator_tdp_w
    return max(0.0, OBSERVED_MAX_FRACTION * model.peak_power_w - accelerators_w)


def work_power_w(model: ServerModel, work: str) -> float:
    """Power of a busy server running ``work`` at full speed, uncapped [W].

    Accelerator servers: ``P_host + n * TDP * g(work)``, never below the idle power; CPU nodes (``cpu_batch``):
    the power table's 100 % point.

    Parameters
    ----------
    model : ServerModel
    work : str
        One of ``WORK_TYPES``: ``training``, ``inference_prefill``, ``inference_decode`` (accelerator servers) or
        ``cpu_batch`` (CPU nodes).

    Returns
    -------
    float
        Power [W].

    Raises
    ------
    ValueError
        If ``work`` is unknown or does not run on this server.
    """
    _work(work, model)
    if work == "cpu_batch":
        return model.peak_power_w
    g = ACCELERATOR_DRAW_FRACTION[work]
    p = host_power_w(model) + model.accelerator_count * model.accelerator_tdp_w * g
    return min(model.peak_power_w, max(model.idle_power_w, p))


def work_power_fraction(model: ServerModel, work: str) -> float:
    """``work_power_w`` as a share of the server's peak power [-]."""
    return work_power_w(model, work) / model.peak_power_w


def work_utilisation(model: ServerModel, work: str) -> float:
    """The utilisation at which the server's power table gives ``work_power_w`` [-], in [0, 1].

    This is the ``utilisation`` to hand ``physics.servers.busy_power_w`` so that a busy server draws its work's
    power: the inverse of the (non-decreasing) table, the lowest such utilisation on a flat stretch.
    """
    p = work_power_w(model, work)
    us, ps = model.utilisation_points, model.power_w_points
    if p <= ps[0]:
        return 0.0
    i = bisect_left(ps, p)
    if i >= len(ps):
        return 1.0
    p0, p1 = ps[i - 1], ps[i]
    return us[i - 1] + (us[i] - us[i - 1]) * (p - p0) / (p1 - p0)


def cap_throughput_fraction(cap_fraction, work: str = "training") -> np.ndarray:
    """Throughput of accelerator work under a power limit, as a share of its throughput at the default limit [-].

    The Zeus NSDI 2023 curve (``CAP_FRACTION_POINTS`` -> ``THROUGHPUT_FRACTION_POINTS``), linear between its
    points; a limit at or above TDP costs nothing. Decode, which draws less than the reference job, reads the
    curve at ``cap_fraction * 0.784 / 0.312`` (module docstring).

    Parameters
    ----------
    cap_fraction : float or array_like
        Power limit of each accelerator as a share of its TDP [-], > 0.
    work : str
        ``training``, ``inference_prefill`` or ``inference_decode``.

    Returns
    -------
    numpy.ndarray
        Throughput share [-] in (0, 1], same shape as ``cap_fraction``.

    Raises
    ------
    ValueError
        If ``work`` is not accelerator work, or a limit is below the lowest measured point of the curve.
    """
    if work not in ACCELERATOR_WORK:
        raise ValueError(f"work: {work!r} is not accelerator work; known: {', '.join(ACCELERATOR_WORK)}")
    x = finite_array(cap_fraction, "cap_fraction")
    if np.any(x <= 0.0):
        raise ValueError("cap_fraction: must be > 0")
    ratio = _REFERENCE_DRAW_FRACTION / ACCELERATOR_DRAW_FRACTION[work] if work == "inference_decode" else 1.0
    x = x * ratio
    if np.any(x < CAP_FRACTION_POINTS[0]):
        raise ValueError(f"cap_fraction: below {CAP_FRACTION_POINTS[0] / ratio:.3f} of TDP for {work}, the lowest "
                         "power limit of the published curve")
    return np.interp(np.minimum(x, 1.0), CAP_FRACTION_POINTS, THROUGHPUT_FRACTION_POINTS)


def server_cap_throughput_fraction(model: ServerModel, work: str, cap_w: float | None) -> float:
    """Throughput share of ``work`` on a server under a power cap of the whole server [-] (1 when uncapped).

    The cap less the host's power (``host_power_w``), shared by the accelerators, is each one's limit; its share of
    TDP is read on ``cap_throughput_fraction``. A cap at or above the server's peak costs nothing.

    Raises
    ------
    ValueError
        If the server has no accelerators, ``work`` does not run on it, or the cap leaves the accelerators less
        than the curve's lowest limit.
    """
    _work(work, model)
    if cap_w is None:
        return 1.0
    cap = finite_float(cap_w, "cap_w")
    if cap >= model.peak_power_w:
        return 1.0
    limit_fraction = (cap - host_power_w(model)) / (model.accelerator_count * model.accelerator_tdp_w)
    if limit_fraction <= 0.0:
        raise ValueError(f"cap_w: {cap:g} W does not cover the host of {model.name} ({host_power_w(model):g} W)")
    try:
        return float(cap_throughput_fraction(limit_fraction, work))
    except ValueError as exc:
        raise ValueError(f"cap_w: {cap:g} W leaves the accelerators of {model.name} "
                         f"{limit_fraction:.3f} of TDP; {exc}") from None


def capped_work_power_w(model: ServerModel, work: str, cap_w: float | None) -> float:
    """Power of a busy server running ``work`` under a cap [W]: its work's power, at most the cap.

    A GPU power limit holds the board at the limit when the work would draw more, and does nothing otherwise.
    """
    p = work_power_w(model, work)
    if cap_w is None:
        return p
    cap = finite_float(cap_w, "cap_w")
    if not cap > model.idle_power_w:
        raise ValueError(f"cap_w: {cap:g} W is not above the idle power of {model.name} ({model.idle_power_w:g} W)")
    return min(p, cap)


def accelerator_cap_w(model: ServerModel, cap_fraction: float) -> float:
    """The whole-server power cap that holds every accelerator at ``cap_fraction`` of its TDP [W]:
    ``P_host + n * TDP * cap_fraction`` (the inverse of ``server_cap_throughput_fraction``'s split).

    Raises
    ------
    ValueError
        If the server has no accelerators or ``cap_fraction`` is not in (0, 1].
    """
    f = finite_float(cap_fraction, "cap_fraction")
    if not 0.0 < f <= 1.0:
        raise ValueError("cap_fraction: must be within (0, 1]")
    return host_power_w(model) + model.accelerator_count * model.accelerator_tdp_w * f


def work_under_caps(model: ServerModel, work: str, server_cap_w: float | None = None,
                    cap_fraction: float | None = None) -> tuple[float, float]:
    """Power of a busy server running ``work`` and its throughput share under its caps: ``(power [W], share [-])``.

    ``server_cap_w`` limits the whole server (a rack's ``power_cap_w``), ``cap_fraction`` each accelerator (a share
    of its TDP); the tighter one acts. Accelerator work: the power is ``capped_work_power_w`` and the share is read
    on the Zeus curve (``server_cap_throughput_fraction``), not proportional to the power. ``cpu_batch``: a CPU
    power limit (RAPL) lowers the clock, ``physics.servers.capped_speed_fraction`` at full load, and the dynamic
    power with it (``busy_power_w``).

    Raises
    ------
    ValueError
        As ``work_power_w``, ``accelerator_cap_w`` and ``server_cap_throughput_fraction``; or ``cap_fraction`` given
        for ``cpu_batch``.
    """
    _work(work, model)
    if work == "cpu_batch":
        if cap_fraction is not None:
            raise ValueError("cap_fraction: an accelerator power limit, but cpu_batch runs on CPUs")
        speed = capped_speed_fraction(model, 1.0, server_cap_w)
        return busy_power_w(model, 1.0, speed), speed
    cap = server_cap_w
    if cap_fraction is not None:
        acc = accelerator_cap_w(model, cap_fraction)
        cap = acc if cap is None else min(finite_float(cap, "server_cap_w"), acc)
    return capped_work_power_w(model, work, cap), server_cap_throughput_fraction(model, work, cap)
