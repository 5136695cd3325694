"""Tests of physics.power_chain against the tables it came from: DOE motor and drive part-load tables, the UPS
table, 80 PLUS Titanium, the I^2 R law."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from physics.power_chain import (
    DOE_MOTOR_PART_LOAD,
    DOE_VFD_PART_LOAD,
    PSU_80PLUS_TITANIUM,
    UPS_DOUBLE_CONVERSION,
    UPS_ECO,
    W_PER_HP,
    drive_input_w,
    input_basis,
    loss_table,
    motor_efficiency_table,
    resistive_loss_w,
    tabulated_loss_scalar_w,
    tabulated_loss_w,
    vfd_efficiency_table,
)


def _efficiency(table, rated, load_fraction):
    x, losses = loss_table(table["load_fraction"], table["efficiency"])
    out = load_fraction * rated
    return out / (out + float(tabulated_loss_w(out, rated, x, losses)))


@pytest.mark.parametrize("table", [UPS_DOUBLE_CONVERSION, UPS_ECO, PSU_80PLUS_TITANIUM])
def test_tabulated_loss_returns_each_table_point(table):
    for xi, eta in zip(table["load_fraction"], table["efficiency"]):
        assert _efficiency(table, 500e3, xi) == pytest.approx(eta, abs=1e-12)


def test_ups_no_load_loss_follows_from_the_first_two_points():
    # 25 %: l = 0.25 (1/0.955 - 1); 50 %: l = 0.5 (1/0.966 - 1); the line through them at zero load
    l25 = 0.25 * (1 / 0.955 - 1)
    l50 = 0.5 * (1 / 0.966 - 1)
    no_load = l25 - (l50 - l25)
    assert 0.0 < no_load < l25
    x, losses = loss_table(UPS_DOUBLE_CONVERSION["load_fraction"], UPS_DOUBLE_CONVERSION["efficiency"])
    assert tabulated_loss_scalar_w(0.0, 1e6, x, losses) == pytest.approx(no_load * 1e6, rel=1e-12)
    # between points: linear in the loss (half-way between 50 and 75 %)
    l75 = 0.75 * (1 / 0.970 - 1)
    assert tabulated_loss_scalar_w(0.625e6, 1e6, x, losses) == pytest.approx(0.5 * (l50 + l75) * 1e6, rel=1e-12)


def test_eco_mode_losses_are_a_third_of_double_conversion():
    # Schneider Electric, Galaxy VX operation manual 990-5452: eConversion cuts the UPS's losses by three
    for xi in (0.25, 0.5, 0.75, 1.0):
        e_dc, e_eco = _efficiency(UPS_DOUBLE_CONVERSION, 1.0, xi), _efficiency(UPS_ECO, 1.0, xi)
        assert (1 / e_eco - 1) == pytest.approx((1 / e_dc - 1) / 3.0, rel=1e-12)
    # and double conversion peaks at the 97 % the vendor states
    assert max(UPS_DOUBLE_CONVERSION["efficiency"]) == 0.97


def test_one_point_table_is_a_constant_efficiency():
    x, losses = loss_table([1.0], [0.97])
    for p in (0.0, 1e3, 2e6, 3e6):
        assert tabulated_loss_scalar_w(p, 2e6, x, losses) == pytest.approx(p * (1 / 0.97 - 1), rel=1e-14, abs=0)


def test_motor_table_at_its_columns_is_the_doe_figure():
    # at a tabulated size the curve is the DOE column times the full-load efficiency
    eta_fl = 0.945
    for j, p_in in enumerate(DOE_MOTOR_PART_LOAD["rated_input_w"]):
        x, eta = motor_efficiency_table(p_in * eta_fl, eta_fl)
        col = np.array([row[j] for row in DOE_MOTOR_PART_LOAD["eta_over_full_load"]])
        np.testing.assert_allclose(eta, np.minimum(col * eta_fl, 1.0), rtol=1e-12)
        np.testing.assert_allclose(x, DOE_MOTOR_PART_LOAD["load_fraction"])
    # DOE 2014 text: efficiency of a 35 kW-class motor at 30 % load within about 4 % of full load
    x, eta = motor_efficiency_table(35e3 * eta_fl, eta_fl)
    assert eta[2] / eta_fl == pytest.approx(0.956973809137855, rel=1e-12)


def test_vfd_table_rows_are_the_tip_sheet():
    for i, hp in enumerate(DOE_VFD_PART_LOAD["rating_hp"]):
        x, eta = vfd_efficiency_table(hp * W_PER_HP)
        np.testing.assert_allclose(eta * 100.0, DOE_VFD_PART_LOAD["efficiency_pct"][i], rtol=1e-12)
    # DOE Tip Sheet #11, Table 1: a 50 hp drive at 25 % load, 92 %; at full load, 97 %
    x, eta = vfd_efficiency_table(50 * W_PER_HP)
    assert eta[2] == pytest.approx(0.92) and eta[-1] == pytest.approx(0.97)


def test_drive_input_chains_motor_then_drive():
    mx, me = motor_efficiency_table(30e3, 0.94)
    vx, ve = vfd_efficiency_table(30e3)
    mt, vt = loss_table(mx, me), loss_table(vx, ve)
    # at full load: shaft / eta_motor(1) / eta_vfd(at the motor's input over the drive's rating)
    p_in_motor = 30e3 / me[6]
    vfd_eff = np.interp(p_in_motor / 30e3, vx, ve)
    assert drive_input_w(30e3, 30e3, mt, 30e3, vt) == pytest.approx(
        p_in_motor + tabulated_loss_scalar_w(p_in_motor, 30e3, *vt), rel=1e-12)
    assert drive_input_w(30e3, 30e3, mt, 30e3, vt) == pytest.approx(p_in_motor / vfd_eff, rel=2e-3)
    # at zero shaft power the train still draws its no-load losses
    assert drive_input_w(0.0, 30e3, mt, 30e3, vt) > 0.0


def test_psu_input_basis_gives_the_same_loss():
    x, losses = loss_table(PSU_80PLUS_TITANIUM["load_fraction"], PSU_80PLUS_TITANIUM["efficiency"])
    xi, li = input_basis(x, losses)
    # at 50 % output (96 %), the input is 0.5/0.96 of rating and the loss 0.5 (1/0.96 - 1)
    assert tabulated_loss_scalar_w(0.5 / 0.96, 1.0, xi, li) == pytest.approx(0.5 * (1 / 0.96 - 1), rel=1e-12)


def test_resistive_loss_is_quadratic():
    assert float(resistive_loss_w(1e6, 2e6, 0.01)) == pytest.approx(0.01 * 2e6 / 4, rel=1e-15)
    assert float(resistive_loss_w(2e6, 2e6, 0.01)) == pytest.approx(0.01 * 2e6, rel=1e-15)


@settings(max_examples=200, deadline=None)
@given(st.floats(0.0, 3.0), st.sampled_from([UPS_DOUBLE_CONVERSION, UPS_ECO, PSU_80PLUS_TITANIUM]))
def test_scalar_and_vector_agree(u, table):
    x, losses = loss_table(table["load_fraction"], table["efficiency"])
    assert tabulated_loss_scalar_w(u * 7e5, 7e5, x, losses) == pytest.approx(
        float(tabulated_loss_w(u * 7e5, 7e5, x, losses)), rel=1e-12, abs=1e-9)


def test_bad_tables_are_named():
    with pytest.raises(ValueError, match="load_fractions"):
        loss_table([0.5, 0.25], [0.9, 0.9])
    with pytest.raises(ValueError, match="efficiencies"):
        loss_table([0.5], [1.2])
    with pytest.raises(ValueError, match="efficiencies"):
        loss_table([0.5, 1.0], [0.9])
    with pytest.raises(ValueError, match="full_load_efficiency"):
        motor_efficiency_table(1e3, 0.0)
