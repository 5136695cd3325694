"""The server and accelerator library: every type's idle and peak equal to its source's figures (docs/servers.md)."""

import numpy as np
import pytest

from physics import server_library
from physics.servers import (
    DGX_H100_IDLE_POWER_W,
    DGX_H100_PEAK_POWER_W,
    SERVER_MODELS,
    ServerModel,
    server_model,
    server_power_w,
)

LOADS = np.arange(11) / 10.0

# Published figures, type by type: (idle [W], peak [W], mass [kg], accelerators, accelerator TDP [W], liquid share),
# each with its source. "ASSUMPTION" marks a figure no source gives (physics/server_library.py says why).
PUBLISHED = {
    # NVIDIA DGX H100 user guide: 10.2 kW max, 8 x H100 SXM at 700 W (VALIDATION.md); idle ASSUMPTION 2.0 kW.
    "dgx-h100": (2000.0, 10200.0, 130.45, 8, 700.0, 0.0),
    # NVIDIA DGX H100/H200 user guide: 10.2 kW max; MLPerf Inference v4.1 H200-SXM-141GBx8: "H200 TGP 700W",
    # air-cooled; idle ASSUMPTION as the DGX H100; mass ASSUMPTION, the DGX H100 chassis.
    "dgx-h200": (2000.0, 10200.0, 130.45, 8, 700.0, 0.0),
    # NVIDIA DGX B200 user guide: "14.3 kW max", "313.9 lbs (142.4 kg) max"; MLPerf v6.0 B200 node: "B200 TGP
    # 1000W", air-cooled; idle ASSUMPTION 14.3 kW x 2.0/10.2, to 10 W.
    "dgx-b200": (2800.0, 14300.0, 142.4, 8, 1000.0, 0.0),
    # ServeTheHome at GTC 2024 (via TechRadar): 120 kW, 1.36 t; GPU 1.2 kW and liquid share 0.81 ASSUMPTION;
    # idle ASSUMPTION 120 kW x 2.0/10.2, to 10 W.
    "gb200-nvl72": (23530.0, 120000.0, 1360.0, 72, 1200.0, 0.81),
    # one compute tray (4 of the 72 GPUs) with an eighteenth of the rack's power and mass: the rack above / 18
    "gb200-nvl72-tray": (23530.0 / 18, 120000.0 / 18, 1360.0 / 18, 4, 1200.0, 0.81),
    # H20 400 W (huggingface.co/hardware/h20); peak ASSUMPTION 8 x 400 W + 4.6 kW; idle ASSUMPTION.
    "hgx-h20-8gpu": (1530.0, 7800.0, 130.45, 8, 400.0, 0.0),
    # AMD MI300X data sheet: TBP 750 W; peak ASSUMPTION 8 x 750 W + 4.6 kW; idle ASSUMPTION.
    "mi300x-8gpu": (2080.0, 10600.0, 130.45, 8, 750.0, 0.0),
    # Atlas 800T A2: every power and mass figure ASSUMPTION (no Huawei figure found).
    "atlas-800t-a2": (1530.0, 7800.0, 75.0, 8, 400.0, 0.0),
}

# SPECpower_ssj2008, watts at active idle, 10 %, ..., 100 % target load, as tabulated in the Joulie project's
# hardware-model page (the spec.org pages were not in the stored corpus).
SPECPOWER = {
    # power_ssj2008-20221204-01203, 2 x AMD EPYC 9654
    "epyc-9654-2s": [128, 257, 300, 340, 378, 410, 442, 498, 577, 697, 817],
    # power_ssj2008-20250407-01522, 2 x AMD EPYC 9965
    "epyc-9965-2s": [157, 265, 314, 362, 412, 461, 503, 544, 587, 661, 800],
    # power_ssj2008-20100315-00239, IBM x3550 (2 x Xeon X5670), as in CloudSim
    "ibm-x3550-x5670": [66, 107, 120, 131, 143, 156, 173, 191, 211, 229, 247],
    # power_ssj2008-20110124-00339, HP ProLiant ML110 G5 (Xeon 3075), as in CloudSim
    "hp-ml110-g5": [93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135],
}


def test_every_type_has_its_figures_in_this_test():
    assert set(SERVER_MODELS) == set(PUBLISHED) | set(SPECPOWER)


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_accelerator_servers_match_their_sources(name):
    idle, peak, mass, count, tdp, liquid = PUBLISHED[name]
    m = server_model(name)
    assert (m.idle_power_w, m.peak_power_w, m.mass_kg) == (idle, peak, mass)
    assert (m.accelerator_count, m.accelerator_tdp_w, m.liquid_fraction) == (count, tdp, liquid)
    assert m.is_accelerated and m.accelerator
    # Linear from idle to peak (Fan, Weber & Barroso, ISCA 2007), as the DGX H100.
    u = np.linspace(0.0, 1.0, 11)
    np.testing.assert_allclose(server_power_w(m, u), idle + (peak - idle) * u, rtol=1e-14)
    assert "ASSUMPTION" in m.source  # the idle power at least: no vendor publishes it


@pytest.mark.parametrize("name", sorted(SPECPOWER))
def test_specpower_nodes_reproduce_their_eleven_points(name):
    m = server_model(name)
    np.testing.assert_array_equal(server_power_w(m, LOADS), np.array(SPECPOWER[name], dtype=float))
    assert m.idle_power_w == SPECPOWER[name][0] and m.peak_power_w == SPECPOWER[name][-1]
    assert not m.is_accelerated and m.liquid_fraction == 0.0


def test_every_type_names_a_source():
    for name, m in SERVER_MODELS.items():
        if name in ("ibm-x3550-x5670", "hp-ml110-g5"):
            continue  # sourced in the comments of physics/servers.py, as before
        assert m.source, name


def test_shared_assumptions_follow_from_the_dgx_h100():
    assert server_library.IDLE_FRACTION_OF_PEAK == DGX_H100_IDLE_POWER_W / DGX_H100_PEAK_POWER_W
    assert server_library.HOST_ALLOWANCE_W == DGX_H100_PEAK_POWER_W - 8 * 700.0 == 4600.0
    # 8 accelerators at their TDP plus the DGX H100's non-GPU share.
    for name in ("hgx-h20-8gpu", "mi300x-8gpu", "atlas-800t-a2"):
        m = server_model(name)
        assert m.peak_power_w == 8 * m.accelerator_tdp_w + 4600.0


def test_gb200_liquid_share_is_the_superchips_over_the_rack():
    # 36 GB200 superchips at 2.7 kW on cold plates, of 120 kW.
    assert server_model("gb200-nvl72").liquid_fraction == pytest.approx(36 * 2700.0 / 120000.0, abs=0.005)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"accelerator_count": 8}, "accelerator_tdp_w"),
        ({"accelerator": "X", "accelerator_count": 8}, "accelerator_tdp_w"),
        ({"accelerator_tdp_w": 700.0}, "accelerator_count"),
        ({"accelerator": "X", "accelerator_count": -1, "accelerator_tdp_w": 1.0}, "accelerator_count"),
        ({"accelerator": "X", "accelerator_count": 2.5, "accelerator_tdp_w": 1.0}, "accelerator_count"),
        ({"accelerator": "X", "accelerator_count": 8, "accelerator_tdp_w": 700.0}, "accelerator_tdp_w"),
        ({"accelerator": "X", "accelerator_count": 1, "accelerator_tdp_w": float("nan")}, "accelerator_tdp_w"),
        ({"liquid_fraction": 1.5}, "liquid_fraction"),
        ({"liquid_fraction": None}, "liquid_fraction"),
        ({"accelerator": 3}, "accelerator"),
        ({"source": 3}, "source"),
    ],
)
def test_bad_accelerator_figures_raise_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        ServerModel("x", (0.0, 1.0), (100.0, 1000.0), 10.0, **kwargs)


def test_unknown_name_raises_naming_the_field_and_listing_the_library():
    with pytest.raises(ValueError, match=r"^name: unknown server model 'h100'.*gb200-nvl72"):
        server_model("h100")
