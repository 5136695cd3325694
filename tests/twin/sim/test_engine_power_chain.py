"""The power chain in the engine (issue 16, part 3): the kernel's twins of physics.power_chain, a cabin's heat with
its in-cabin losses, the ledger with every term, the chain's KPIs, step invariance, the old flat model kept."""

from __future__ import annotations

import numpy as np
import pytest

from physics import power_chain as pc
from twin.scenario import ScenarioError, load_scenario
from twin.sim import kernel_physics as kp
from twin.sim.cabin import build_cabin
from twin.sim.kernel_cabin import chain_losses
from twin.sim.state import (
    P_AUX_CABIN_W,
    P_COUNT_ALL,
    P_UPS_RATED,
    S_BUS_W,
    S_CH_OK,
    S_COUNT,
    S_FAN_FRAC,
    S_FAN_IN_W,
    S_FAN_W,
    S_HEAT_W,
    S_IT_W,
    S_PDU_W,
    S_POWERED,
    S_PSU_W,
    S_PUMP_IN_W,
    S_PUMP_W,
    S_SRV_FAN_W,
    S_UPS_W,
    S_VR_W,
    T_UPS,
    chain_params,
)

SHORT = ("run.horizon_s=2d",)
LEGACY = ("electrical.power_chain=null", "electrical.distribution_efficiency=0.97")


def _table_row(x, losses) -> np.ndarray:
    row = np.zeros(P_COUNT_ALL)
    row[T_UPS] = len(x)
    row[T_UPS + 1:T_UPS + 1 + len(x)] = x
    row[T_UPS + 1 + kp.TAB_MAX:T_UPS + 1 + kp.TAB_MAX + len(x)] = losses
    return row


@pytest.mark.parametrize("table", [pc.UPS_DOUBLE_CONVERSION, pc.UPS_ECO, pc.PSU_80PLUS_TITANIUM,
                                   {"load_fraction": (1.0,), "efficiency": (0.97,)}])
def test_kernel_table_loss_is_the_physics_function(table):
    x, losses = pc.loss_table(table["load_fraction"], table["efficiency"])
    row = _table_row(x, losses)
    for u in np.linspace(0.0, 1.6, 97):
        assert kp.table_loss_w(u * 3e6, 3e6, row, T_UPS) == pytest.approx(
            pc.tabulated_loss_scalar_w(u * 3e6, 3e6, x, losses), rel=1e-14, abs=1e-9)
    # the motor and drive tables too (the DOE ones, at a size between their columns)
    for x, eta in (pc.motor_efficiency_table(27e3, 0.945), pc.vfd_efficiency_table(27e3)):
        xs, ls = pc.loss_table(x, eta)
        row = _table_row(xs, ls)
        for u in np.linspace(0.0, 1.3, 53):
            assert kp.table_loss_w(u * 27e3, 27e3, row, T_UPS) == pytest.approx(
                pc.tabulated_loss_scalar_w(u * 27e3, 27e3, xs, ls), rel=1e-14, abs=1e-9)


def test_kernel_resistive_loss_is_the_physics_function():
    for p in (0.0, 1e5, 1.4e6, 3.5e6):
        assert kp.resistive_loss_w(p, 3e6, 0.005) == pytest.approx(float(pc.resistive_loss_w(p, 3e6, 0.005)),
                                                                   rel=1e-15)


def _row(overrides=()):
    sc = load_scenario("lingang-phase1", list(overrides))
    plant = build_cabin(sc, sc.cabins[0])
    prm = np.zeros((1, P_COUNT_ALL))
    chain_params(prm[0], sc.electrical, sc.cabins[0].cooling.design_heat_w, plant.pump_design_power_w,
                 plant.fan_design_power_w, max(plant.server.power_w_points))
    return sc, plant, prm


def test_chain_losses_remembers_its_inputs_and_recomputes_when_one_changes():
    """chain_losses skips the work when its inputs are those of its last call: each input changed on its own gives
    what a fresh evaluation gives, and the heat (which the liquid path lowers after each call) is set again."""
    _, plant, prm = _row()
    cols = (S_IT_W, S_PUMP_W, S_FAN_W, S_POWERED, S_FAN_FRAC)
    st = np.zeros((1, S_COUNT))
    st[0, S_IT_W], st[0, S_FAN_FRAC], st[0, S_POWERED] = 1.4e6, 0.02, 224
    st[0, S_PUMP_W], st[0, S_FAN_W] = 0.3 * plant.pump_design_power_w, 0.2 * plant.fan_design_power_w
    chain_losses(0, prm, st)
    first = st.copy()
    st[0, S_HEAT_W] -= 1e5  # as liquid_heat does
    chain_losses(0, prm, st)
    assert np.array_equal(st, first)
    for col in cols:
        st[0, col] *= 0.9
        chain_losses(0, prm, st)
        fresh = st.copy()
        fresh[0, S_CH_OK] = 0.0
        chain_losses(0, prm, fresh)
        assert np.array_equal(st, fresh), col
        assert not np.array_equal(st[0, :S_CH_OK], first[0, :S_CH_OK]), col


def test_cabin_heat_holds_every_loss_dissipated_inside_it():
    sc, plant, prm = _row()
    ch = sc.electrical.power_chain
    design = sc.cabins[0].cooling.design_heat_w
    st = np.zeros((1, S_COUNT))
    st[0, S_IT_W], st[0, S_FAN_FRAC], st[0, S_POWERED] = 1.4e6, 0.02, 224
    st[0, S_PUMP_W], st[0, S_FAN_W] = 0.3 * plant.pump_design_power_w, 0.2 * plant.fan_design_power_w
    chain_losses(0, prm, st)
    it = 1.4e6
    pdu = float(pc.resistive_loss_w(it, 1.25 * design, 0.005))
    bus = float(pc.resistive_loss_w(it + pdu, 1.25 * design, 0.005))
    ups_t = pc.loss_table(pc.UPS_DOUBLE_CONVERSION["load_fraction"], pc.UPS_DOUBLE_CONVERSION["efficiency"])
    ups = pc.tabulated_loss_scalar_w(it + pdu + bus, 1.25 * design, *ups_t)
    assert st[0, S_PDU_W] == pytest.approx(pdu, rel=1e-14)
    assert st[0, S_BUS_W] == pytest.approx(bus, rel=1e-14)
    assert st[0, S_UPS_W] == pytest.approx(ups, rel=1e-14)
    assert prm[0, P_UPS_RATED] == pytest.approx(1.25 * design)

    def drive(shaft_total, d, design_shaft):
        rated = design_shaft / d.unit_count * d.motor_sizing_factor
        mt = pc.loss_table(*pc.motor_efficiency_table(rated, d.motor_full_load_efficiency))
        vt = pc.loss_table(*pc.vfd_efficiency_table(rated))
        return d.unit_count * pc.drive_input_w(shaft_total / d.unit_count, rated, mt, rated, vt)
    fan_in = drive(st[0, S_FAN_W], ch.fans, plant.fan_design_power_w)
    pump_in = drive(st[0, S_PUMP_W], ch.pumps, plant.pump_design_power_w)
    assert st[0, S_FAN_IN_W] == pytest.approx(fan_in, rel=1e-13)
    assert st[0, S_PUMP_IN_W] == pytest.approx(pump_in, rel=1e-13)
    aux_cabin = sum(a.power_w for a in ch.auxiliaries if a.location == "cabin")
    assert prm[0, P_AUX_CABIN_W] == aux_cabin > 0
    # lingang-phase1: UPS, busway, PDU and fans in the cabin, the pump outside (its losses go to the sea directly)
    assert st[0, S_HEAT_W] == pytest.approx(it + pdu + bus + ups + fan_in + aux_cabin, rel=1e-14)
    # the servers' internals split the IT power and add nothing
    base = it / 1.02
    assert st[0, S_SRV_FAN_W] == pytest.approx(base * 0.05 + (it - base), rel=1e-13)
    psu_t = pc.input_basis(*pc.loss_table(pc.PSU_80PLUS_TITANIUM["load_fraction"],
                                          pc.PSU_80PLUS_TITANIUM["efficiency"]))
    psu = 224 * pc.tabulated_loss_scalar_w(it / 224, 2.0 * max(plant.server.power_w_points), *psu_t)
    assert st[0, S_PSU_W] == pytest.approx(psu, rel=1e-13)
    assert st[0, S_VR_W] == pytest.approx((it - psu - st[0, S_SRV_FAN_W]) * 0.10, rel=1e-13)
    # a UPS placed outside leaves the cabin cooler by exactly its loss
    _, _, prm_out = _row(["electrical.power_chain.ups.location=outside"])
    st2 = st.copy()
    st2[0, S_CH_OK] = 0.0  # another design's constants: chain_losses remembers its inputs from st only
    chain_losses(0, prm_out, st2)
    assert st[0, S_HEAT_W] - st2[0, S_HEAT_W] == pytest.approx(ups, rel=1e-12)


def test_run_ledger_lists_every_term_and_closes(short_run):
    r = short_run(*SHORT)
    led = r.ledger
    for term in ("it_mwh", "pump_shaft_mwh", "pump_drive_loss_mwh", "fan_shaft_mwh", "fan_drive_loss_mwh",
                 "ups_loss_mwh", "pdu_loss_mwh", "busway_loss_mwh", "auxiliary_mwh", "transformer_loss_mwh",
                 "wind_link_loss_mwh", "shore_link_loss_mwh", "battery_loss_mwh", "battery_stored_mwh",
                 "exported_mwh", "curtailed_mwh", "unserved_mwh"):
        assert term in led
    for term in ("pump_drive_loss_mwh", "fan_drive_loss_mwh", "ups_loss_mwh", "pdu_loss_mwh", "busway_loss_mwh",
                 "auxiliary_mwh", "it_server_fans_mwh", "it_psu_loss_mwh", "it_vr_loss_mwh"):
        assert led[term] > 0.0, term
    assert led["relative_residual"] < 1e-9
    assert led["distribution_loss_mwh"] == pytest.approx(
        led["ups_loss_mwh"] + led["pdu_loss_mwh"] + led["busway_loss_mwh"], rel=1e-9)
    assert led["cooling_mwh"] == pytest.approx(led["pump_shaft_mwh"] + led["pump_drive_loss_mwh"]
                                               + led["fan_shaft_mwh"] + led["fan_drive_loss_mwh"], rel=1e-9)
    # auxiliaries: the design's named loads, drawn all the time
    aux_w = sum(a.power_w for a in r.scenario.electrical.power_chain.auxiliaries)
    assert led["auxiliary_mwh"] == pytest.approx(aux_w * 48.0 / 1e6, rel=1e-9)
    k = r.kpis
    assert k["pue"] - 1.0 == pytest.approx(
        k["ppue_cooling"] + k["ppue_power_distribution"] + k["ppue_auxiliaries"] - 3.0, rel=1e-9)
    assert k["tue"] == pytest.approx(k["itue"] * k["pue"], rel=1e-12)
    assert 1.0 < k["itue"] < 1.5


def test_cabin_heat_series_is_its_in_cabin_electrical_input(short_run):
    """Over a run, the heat the cabin rejects to the sea (its heat series) is its electrical input less what is
    dissipated outside it: the pump's drive (outside) and the cathodic protection."""
    s = short_run(*SHORT).series
    sc = load_scenario("lingang-phase1")
    aux_cabin = sum(a.power_w for a in sc.electrical.power_chain.auxiliaries if a.location == "cabin")
    inside = (s.it_power_w.astype(float) + s.fan_power_w + s.ups_loss_w + s.pdu_loss_w + s.busway_loss_w
              + aux_cabin)
    # float32 storage of each series (to 1 W): a few watts in megawatts
    assert s.cabin0_heat_w.astype(float).sum() == pytest.approx(inside.sum(), rel=1e-6)
    np.testing.assert_allclose(s.cabin0_heat_w, inside, rtol=1e-6, atol=5.0)


def test_chain_terms_do_not_depend_on_the_output_step(short_run):
    a = short_run(*SHORT)
    b = short_run(*SHORT, "run.step_s=600")
    for term in ("ups_loss_mwh", "pdu_loss_mwh", "busway_loss_mwh", "pump_drive_loss_mwh", "fan_drive_loss_mwh",
                 "auxiliary_mwh", "it_psu_loss_mwh", "it_server_fans_mwh", "it_vr_loss_mwh"):
        assert b.ledger[term] == pytest.approx(a.ledger[term], rel=1e-9), term
    for kpi in ("pue", "itue", "tue", "ppue_cooling", "ppue_power_distribution"):
        assert b.kpis[kpi] == pytest.approx(a.kpis[kpi], rel=1e-9), kpi


def test_without_a_chain_the_flat_efficiency_is_kept(short_run):
    s = short_run(*SHORT, *LEGACY).series
    it = s.it_power_w.astype(float)
    np.testing.assert_allclose(s.distribution_loss_w, it * (1 / 0.97 - 1), rtol=1e-6, atol=1.0)
    assert float(s.auxiliary_power_w.abs().max()) == 0.0
    assert float(s.fan_drive_loss_w.abs().max()) == 0.0 and float(s.pump_drive_loss_w.abs().max()) == 0.0
    np.testing.assert_allclose(s.cabin0_heat_w, it + s.fan_power_w, rtol=1e-6, atol=2.0)


def test_chain_fields_are_checked_by_name():
    with pytest.raises(ScenarioError, match="electrical: give distribution_efficiency or power_chain"):
        load_scenario("lingang-phase1", ["electrical.distribution_efficiency=0.96"])
    with pytest.raises(ScenarioError, match="electrical.power_chain.ups: efficiency_points"):
        load_scenario("lingang-phase1", ["electrical.power_chain.ups.load_fractions=[0.25, 0.5]",
                                         "electrical.power_chain.ups.efficiency_points=[0.95, 1.2]"])
    with pytest.raises(ScenarioError, match="electrical.power_chain.ups"):
        load_scenario("lingang-phase1", ["electrical.power_chain.ups.load_fractions=[0.25, 0.5]"])
    with pytest.raises(ScenarioError, match="electrical.power_chain.fans.unit_count"):
        load_scenario("lingang-phase1", ["electrical.power_chain.fans.unit_count=0"])
    with pytest.raises(ScenarioError, match="electrical.power_chain.auxiliaries.0.power_w"):
        load_scenario("lingang-phase1", ["electrical.power_chain.auxiliaries.0.power_w=-1"])
    # a datasheet's own table is taken
    sc = load_scenario("lingang-phase1", ["electrical.power_chain.ups.load_fractions=[0.25, 0.5, 0.75, 1.0]",
                                          "electrical.power_chain.ups.efficiency_points=[0.94, 0.955, 0.96, 0.96]"])
    assert sc.electrical.power_chain.ups.efficiency_points[-1] == 0.96
