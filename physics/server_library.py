"""The server and accelerator library: the published figures of each server type, with a source for every one.

Each entry is the keyword arguments of a ``physics.servers.ServerModel``; ``physics.servers`` builds the models
and adds them to ``SERVER_MODELS``, so ``physics.servers.server_model(name)`` stays the one way to look a type up.
This module holds data only and imports nothing from the package, so that ``physics.servers`` can import it.

Power model of an accelerator server: linear from idle to peak in the utilisation (Fan, Weber & Barroso, ISCA
2007), as for the DGX H100 already in ``physics.servers``; *peak* is the vendor's maximum (nameplate) system
power where one is published. A CPU node keeps its SPECpower_ssj2008 table (11 points, 0 % to 100 % target load).

What is assumed, and why (marked ASSUMPTION at each use):

- Idle power of accelerator servers. No vendor publishes it and no measurement was found. The DGX H100 idle is
  the project's component estimate (2.0 kW of 10.2 kW, ``physics.servers.DGX_H100_IDLE_POWER_W``); the others
  take the same share of their peak, ``IDLE_FRACTION_OF_PEAK`` (rounded to 10 W).
- Peak power of 8-accelerator servers without a published system maximum (HGX H20, MI300X platform, Atlas 800T
  A2): the accelerators' TDP plus the rest of a DGX H100 at its rating, ``HOST_ALLOWANCE_W`` = 10.2 kW - 8 x 700 W
  = 4.6 kW (two host CPUs, 2 TB memory, NVLink switches or equivalent, eight 400G NICs, NVMe, fans, power-supply
  losses).
"""

from __future__ import annotations

__all__ = [
    "LIBRARY_ENTRIES",
    "IDLE_FRACTION_OF_PEAK",
    "HOST_ALLOWANCE_W",
    "SPECPOWER_LOADS",
    "GB200_NVL72_COMPUTE_TRAYS",
]

#: The eleven SPECpower_ssj2008 target loads: active idle, 10 %, ..., 100 % [-].
SPECPOWER_LOADS = tuple(i / 10.0 for i in range(11))

#: Idle share of peak power for accelerator servers [-] -- ASSUMPTION: the DGX H100's assumed idle (2.0 kW, a
#: component estimate, ``physics.servers.DGX_H100_IDLE_POWER_W``) over its published 10.2 kW maximum.
IDLE_FRACTION_OF_PEAK = 2000.0 / 10200.0

#: Non-accelerator share of an 8-GPU server's rated maximum [W] -- ASSUMPTION: the DGX H100's 10.2 kW (NVIDIA
#: DGX H100/H200 user guide) less its eight 700 W GPUs, used for 8-accelerator servers whose system maximum is not
#: published.
HOST_ALLOWANCE_W = 10200.0 - 8 * 700.0

#: DGX H100 chassis mass [kg]: 287.6 lb, DGX H100 user guide, system specifications, as recalled when the library
#: was first drafted and not re-checked here; a third-party page (supercluster.blog, "NVIDIA DGX H100 hardware")
#: gives 271.5 lb (123.2 kg). Kept for behaviour; used as the mass of other 8-GPU 8U servers (ASSUMPTION).
_DGX_CHASSIS_MASS_KG = 130.45


def _idle(peak_w: float) -> float:
    """Assumed idle power [W] of an accelerator server with this peak: ``IDLE_FRACTION_OF_PEAK`` x peak, to 10 W."""
    return round(IDLE_FRACTION_OF_PEAK * peak_w, -1)


def _linear(name: str, peak_w: float, idle_w: float | None = None) -> dict:
    """The power table of a linear idle-to-peak model."""
    return {"name": name, "utilisation_points": (0.0, 1.0),
            "power_w_points": (_idle(peak_w) if idle_w is None else idle_w, peak_w)}


_DGX_H200_PEAK_W = 10200.0
_DGX_B200_PEAK_W = 14300.0
_GB200_NVL72_PEAK_W = 120_000.0
GB200_NVL72_COMPUTE_TRAYS = 18
_H20_TDP_W = 400.0
_MI300X_TBP_W = 750.0
_ASCEND_910B_TDP_W = 400.0

LIBRARY_ENTRIES: tuple[dict, ...] = (
    {
        **_linear("dgx-h200", _DGX_H200_PEAK_W, idle_w=2000.0),
        "mass_kg": _DGX_CHASSIS_MASS_KG,
        "accelerator": "NVIDIA H200 SXM", "accelerator_count": 8, "accelerator_tdp_w": 700.0,
        "liquid_fraction": 0.0,
        "source": (
            "peak 10.2 kW: NVIDIA DGX H100/H200 User Guide (Nov 2024), power specifications: six 3.3 kW supplies, "
            "4+2 redundant, 10.2 kW max (as summarised by unanswered.io, 'NVIDIA DGX power consumption'); "
            "GPU 700 W and air cooling: NVIDIA's MLPerf Inference v4.1 system description "
            "closed/NVIDIA/systems/H200-SXM-141GBx8_TRT_MaxQ.json ('H200 TGP 700W', 'Air-cooled'); "
            "idle 2.0 kW: ASSUMPTION, as the DGX H100 (same chassis, CPUs and NVSwitches); "
            "mass: ASSUMPTION, the DGX H100 chassis (one user guide covers both)"),
    },
    {
        **_linear("dgx-b200", _DGX_B200_PEAK_W),
        "mass_kg": 142.4,
        "accelerator": "NVIDIA B200", "accelerator_count": 8, "accelerator_tdp_w": 1000.0,
        "liquid_fraction": 0.0,
        "source": (
            "peak 14.3 kW max and mass 313.9 lb (142.4 kg) max: NVIDIA DGX B200 User Guide, 'Introduction to NVIDIA "
            "DGX B200 Systems', power and mechanical specifications (docs.nvidia.com/dgx/dgxb200-user-guide); "
            "GPU 1000 W and air cooling: MLPerf Inference v6.0 system description of an 8 x B200-SXM-180GB node, "
            "closed/Nebius/systems/nebius_b200_n1.json ('B200 TGP 1000W', 'Air-cooled'); "
            "idle: ASSUMPTION, IDLE_FRACTION_OF_PEAK x 14.3 kW"),
    },
    {
        **_linear("gb200-nvl72", _GB200_NVL72_PEAK_W),
        "mass_kg": 1360.0,
        "accelerator": "NVIDIA B200 (GB200 superchip)", "accelerator_count": 72, "accelerator_tdp_w": 1200.0,
        "liquid_fraction": 0.81,
        "source": (
            "one whole NVL72 rack as one server (18 compute trays of 2 Grace CPUs and 4 Blackwell GPUs, 9 NVLink "
            "switch trays, power shelves: NVIDIA DGX GB200 User Guide, 'Hardware'); set servers_per_rack 1 and "
            "rack_mass_kg 0, the mass includes the rack; "
            "peak 120 kW and mass 1.36 t (3,000 lb): ServeTheHome's report from GTC 2024 as carried by TechRadar "
            "('DGX GB200 NVL72 weighs 1.36 metric tons (3,000 lbs) and consumes 120kW'); no NVIDIA rack maximum was "
            "found; GPU 1200 W: ASSUMPTION, a 2.7 kW GB200 superchip (Grace + 2 B200; fridayswithfaraday.com GPU "
            "table, from memory of NVIDIA's GB200 figures, not checked) less about 0.3 kW for Grace, halved; "
            "liquid share 0.81: ASSUMPTION derived from the user guide's split (cold plates on the CPUs and GPUs, "
            "fans for networking and storage): 36 superchips x 2.7 kW / 120 kW; the liquid-cooled NVLink switch "
            "ASICs would raise it a little; idle: ASSUMPTION, IDLE_FRACTION_OF_PEAK x 120 kW"),
    },
    {
        **_linear("gb200-nvl72-tray", _GB200_NVL72_PEAK_W / GB200_NVL72_COMPUTE_TRAYS,
                  idle_w=_idle(_GB200_NVL72_PEAK_W) / GB200_NVL72_COMPUTE_TRAYS),
        "mass_kg": 1360.0 / GB200_NVL72_COMPUTE_TRAYS,
        "accelerator": "NVIDIA B200 (GB200 superchip)", "accelerator_count": 4, "accelerator_tdp_w": 1200.0,
        "liquid_fraction": 0.81,
        "source": (
            "one of the 18 compute trays of an NVL72 rack (2 Grace CPUs and 4 Blackwell GPUs each: NVIDIA DGX GB200 "
            "User Guide, 'Hardware') with an eighteenth of the rack's switch trays, power shelves, power and mass: "
            "the gb200-nvl72 entry divided by 18, so 18 per rack with rack_mass_kg 0 is that rack; the failure "
            "unit is the tray: a GPU or host failure takes out its tray and the rack runs on with the others "
            "(ASSUMPTION: NVLink domains of fewer trays are schedulable); every other figure as gb200-nvl72"),
    },
    {
        **_linear("hgx-h20-8gpu", 8 * _H20_TDP_W + HOST_ALLOWANCE_W),
        "mass_kg": _DGX_CHASSIS_MASS_KG,
        "accelerator": "NVIDIA H20", "accelerator_count": 8, "accelerator_tdp_w": _H20_TDP_W,
        "liquid_fraction": 0.0,
        "source": (
            "GPU 400 W: huggingface.co/hardware/h20 (NVIDIA publishes no H20 datasheet that was found); "
            "peak 7.8 kW: ASSUMPTION, 8 x 400 W + HOST_ALLOWANCE_W (an HGX 8-GPU server on a DGX-like host); "
            "idle: ASSUMPTION, IDLE_FRACTION_OF_PEAK x peak; mass and air cooling: ASSUMPTION, an 8U air-cooled "
            "HGX chassis like the DGX H100"),
    },
    {
        **_linear("mi300x-8gpu", 8 * _MI300X_TBP_W + HOST_ALLOWANCE_W),
        "mass_kg": _DGX_CHASSIS_MASS_KG,
        "accelerator": "AMD Instinct MI300X (OAM)", "accelerator_count": 8, "accelerator_tdp_w": _MI300X_TBP_W,
        "liquid_fraction": 0.0,
        "source": (
            "an AMD Instinct MI300X Platform server (8 OAM modules on one baseboard); "
            "TBP 750 W: AMD Instinct MI300X data sheet ('maximum TBP 750 W'), as cited by the Joulie project's "
            "hardware page and by meterpreter.org from AMD's launch footnotes; "
            "peak 10.6 kW: ASSUMPTION, 8 x 750 W + HOST_ALLOWANCE_W; idle: ASSUMPTION, IDLE_FRACTION_OF_PEAK x "
            "peak; mass and air cooling: ASSUMPTION, an 8U air-cooled 8-GPU chassis like the DGX H100"),
    },
    {
        **_linear("atlas-800t-a2", 8 * _ASCEND_910B_TDP_W + HOST_ALLOWANCE_W),
        "mass_kg": 75.0,
        "accelerator": "Huawei Ascend 910B", "accelerator_count": 8, "accelerator_tdp_w": _ASCEND_910B_TDP_W,
        "liquid_fraction": 0.0,
        "source": (
            "Huawei Atlas 800T A2 training server, 8 Ascend 910B NPUs (hiascend.com CANN install guide names the "
            "server); no Huawei power or mass figure was found in the stored documents; "
            "NPU 400 W: ASSUMPTION, from memory of Huawei's Ascend 910B figures, not checked; "
            "peak 7.8 kW: ASSUMPTION, 8 x 400 W + HOST_ALLOWANCE_W; idle: ASSUMPTION, IDLE_FRACTION_OF_PEAK x peak; "
            "mass 75 kg: ASSUMPTION, order of magnitude of a 4U 8-accelerator server; air cooling: ASSUMPTION "
            "(an air-cooled and a liquid-cooled version are sold; the air-cooled one is taken)"),
    },
    {
        "name": "epyc-9654-2s",
        "utilisation_points": SPECPOWER_LOADS,
        "power_w_points": (128.0, 257.0, 300.0, 340.0, 378.0, 410.0, 442.0, 498.0, 577.0, 697.0, 817.0),
        "mass_kg": 25.0,
        "source": (
            "power: SPECpower_ssj2008 result power_ssj2008-20221204-01203, 2 x AMD EPYC 9654 (96 cores, 4th gen, "
            "9004 series), watts at active idle, 10 %, ..., 100 % target load, "
            "https://www.spec.org/power_ssj2008/results/res2022q4/power_ssj2008-20221204-01203.html, as tabulated "
            "in the Joulie project's 'Hardware Modeling and Physical Power Model' page; the spec.org page was not "
            "in the stored corpus and is not checked here; mass 25 kg: ASSUMPTION, a 2U two-socket server; "
            "air-cooled (liquid share 0): ASSUMPTION"),
    },
    {
        "name": "epyc-9965-2s",
        "utilisation_points": SPECPOWER_LOADS,
        "power_w_points": (157.0, 265.0, 314.0, 362.0, 412.0, 461.0, 503.0, 544.0, 587.0, 661.0, 800.0),
        "mass_kg": 25.0,
        "source": (
            "power: SPECpower_ssj2008 result power_ssj2008-20250407-01522, 2 x AMD EPYC 9965 (192 cores, 5th gen, "
            "9005 series), watts at active idle, 10 %, ..., 100 % target load, "
            "https://www.spec.org/power_ssj2008/results/res2025q2/power_ssj2008-20250407-01522.html, as tabulated "
            "in the Joulie project's 'Hardware Modeling and Physical Power Model' page; the spec.org page was not "
            "in the stored corpus and is not checked here; mass 25 kg: ASSUMPTION, a 2U two-socket server; "
            "air-cooled (liquid share 0): ASSUMPTION"),
    },
)
