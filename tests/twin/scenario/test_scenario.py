"""Scenario loading, validation, overrides and schema."""

from __future__ import annotations

import json
import textwrap

import pytest
import yaml

from twin.scenario import (
    ScenarioError,
    apply_overrides,
    design_dir,
    design_names,
    load_scenario,
    parse_duration_s,
    scenario_json_schema,
)


def test_shipped_designs_load():
    assert {"lingang-phase1", "lingang-24mw"} <= set(design_names())
    for name in design_names():
        sc = load_scenario(name)
        assert sc.name == name


def test_lingang_phase1_holds_the_published_facts():
    # ../shared/VALIDATION.md, Lingang phase 1: 2.3 MW IT in one vertical cabin, ~200 MW wind 500 m away,
    # two 35 kV cables to shore
    from physics.servers import server_model

    sc = load_scenario("lingang-phase1")
    assert sc.cabin_count == 1 and sc.cabins[0].geometry.orientation == "vertical"
    racks = sc.cabins[0].racks
    it_peak_w = racks.rack_count * racks.servers_per_rack * server_model(racks.server).peak_power_w
    assert it_peak_w == pytest.approx(2.3e6, rel=0.02)
    farm_w = sc.wind.farm.turbine_count * max(sc.wind.farm.power_curve.power_w)
    assert farm_w == pytest.approx(200e6, rel=0.02) and sc.wind.farm.turbine_count > 50
    assert sc.electrical.wind_link.length_m == 500.0
    assert sc.electrical.shore_link.count == 2 and sc.electrical.shore_link.voltage_v == 35_000.0


def test_every_field_name_carries_its_unit_or_is_dimensionless():
    """Numeric fields either end in a unit suffix or are on the documented list of dimensionless names."""
    units = ("_m", "_s", "_w", "_c", "_k", "_pa", "_deg", "_m_s", "_m2", "_kg", "_wh", "_va", "_a", "_v", "_h",
             "_per_km", "_w_m2k", "_w_mk", "_kg_m3", "_j_kgk", "_m2k_w", "_kg_per_kwh", "_l_per_h", "_per_k",
             "_m_s", "_d", "_per_year", "_m3")
    dimensionless = ("fraction", "efficiency", "factor", "utilisation", "amplitude", "strength", "weibull_k",
                     "autocorrelation_1h", "harmonics", "practical_salinity", "intensity", "weights", "count",
                     "rows", "seed", "speed", "exponent", "decay", "hour", "day_of_year", "turbines",
                     "diameters", "servers", "cabin", "gain", "share", "weight", "autocorrelation")
    schema = scenario_json_schema()
    bad = []
    for model, body in schema["$defs"].items():
        for field, spec in body.get("properties", {}).items():
            types = json.dumps(spec)
            if '"number"' not in types and '"integer"' not in types:
                continue
            if field.endswith(units) or any(w in field for w in dimensionless):
                continue
            bad.append(f"{model}.{field}")
    assert not bad, f"fields without a unit in their name: {bad}"


def test_overrides_set_nested_fields_and_list_items():
    sc = load_scenario("lingang-phase1", ["cabins.0.racks.rack_count=30", "run.horizon_s=7d",
                                          "wind.farm.wake_model=none"])
    assert sc.cabins[0].racks.rack_count == 30
    assert sc.run.horizon_s == 7 * 86400
    assert sc.wind.farm.wake_model == "none"


def test_override_of_a_missing_list_item_names_it():
    with pytest.raises(ScenarioError) as exc:
        load_scenario("lingang-phase1", ["cabins.3.count=2"])
    assert exc.value.problems[0][0] == "cabins.3"


def test_unknown_field_is_refused_with_its_path():
    with pytest.raises(ScenarioError) as exc:
        load_scenario("lingang-phase1", ["wind.farm.turbine_cuont=3"])
    assert ("wind.farm.turbine_cuont", "Extra inputs are not permitted") in exc.value.problems


def _bad_scenario(tmp_path):
    data = yaml.safe_load((design_dir() / "lingang-phase1.yaml").read_text())
    data["site"]["water_depth_m"] = -5.0
    data["wind"]["farm"]["turbine"] = "acme-9mw"
    data["wind"]["farm"]["power_curve"]["wind_speed_m_s"][2] = 2.0  # 3, 4, 2, 6 ...: unsorted
    data["run"]["horizon_s"] = 0
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_bad_scenario_lists_every_problem_with_its_path(tmp_path):
    with pytest.raises(ScenarioError) as exc:
        load_scenario(_bad_scenario(tmp_path))
    paths = [p for p, _ in exc.value.problems]
    message = str(exc.value)
    assert "site.water_depth_m" in paths
    assert "wind.farm.power_curve" in paths and "not sorted" in message
    assert "run.horizon_s" in paths
    # an unknown turbine is refused even beside a custom curve: the name must mean something
    assert "wind.farm.turbine" in paths and "acme-9mw" in message
    assert message.count("\n  - ") == len(paths)


def test_duration_strings():
    assert parse_duration_s("60s") == 60.0
    assert parse_duration_s("15min") == 900.0
    assert parse_duration_s("365d") == 365 * 86400.0
    assert parse_duration_s(3.5) == 3.5
    with pytest.raises(ValueError, match="duration"):
        parse_duration_s("soon")


def test_json_scenario_loads(tmp_path):
    sc = load_scenario("lingang-phase1")
    path = tmp_path / "s.json"
    path.write_text(sc.model_dump_json())
    again = load_scenario(path)
    assert again == sc


def test_toml_scenario_loads(tmp_path):
    text = textwrap.dedent("""
        name = "toml-case"
        [site]
        latitude_deg = 30.75
        longitude_deg = 122.05
        water_depth_m = 15.0
        cabin_depth_m = 10.0
        [site.sea]
        monthly_mean_temp_c = [8.0, 7.0, 9.0, 13.0, 18.0, 22.0, 26.5, 28.0, 26.0, 22.0, 17.0, 11.0]
        [wind.resource]
        weibull_c_m_s = 6.2
        [wind.farm]
        turbine = "nrel-5mw"
        turbine_count = 10
        export_capacity_w = 50e6
        [electrical.wind_link]
        length_m = 500.0
        [electrical.shore_link]
        length_m = 12000.0
        [electrical.transformer]
        rated_power_va = 3.15e6
        no_load_loss_w = 3300.0
        load_loss_w = 26000.0
        [[cabins]]
        [cabins.geometry]
        diameter_m = 10.0
        length_m = 12.0
        [cabins.racks]
        rack_count = 56
        servers_per_rack = 4
        [cabins.cooling]
        design_heat_w = 2.4e6
    """)
    path = tmp_path / "s.toml"
    path.write_text(text)
    sc = load_scenario(path)
    assert sc.name == "toml-case" and sc.wind.farm.turbine == "nrel-5mw"
    assert sc.run.step_s == 60.0  # default


def test_apply_overrides_does_not_touch_its_input():
    data = {"a": {"b": 1}}
    out = apply_overrides(data, ["a.b=2"])
    assert data == {"a": {"b": 1}} and out == {"a": {"b": 2}}


def _liquid_data(**liquid):
    data = yaml.safe_load((design_dir() / "lingang-phase1.yaml").read_text())
    racks = data["cabins"][0]["racks"]
    racks.update(server="gb200-nvl72", servers_per_rack=1, rack_mass_kg=0.0)
    data["cabins"][0]["cooling"]["liquid"] = {"design_heat_w": 5.5e6, **liquid}
    return data


def test_liquid_section_is_optional_and_validated(tmp_path):
    from twin.scenario import scenario_from_dict

    assert load_scenario("lingang-phase1").cabins[0].cooling.liquid is None  # none: today's behaviour
    sc = scenario_from_dict(_liquid_data())
    lq = sc.cabins[0].cooling.liquid
    assert lq.facility_class == "W32" and lq.supply_max_c == 45.0
    with pytest.raises(ScenarioError) as exc:
        scenario_from_dict(_liquid_data(supply_setpoint_c=44.0, facility_class="W33", coolant_volume_m3=-1.0))
    paths = dict(exc.value.problems)
    assert "cabins.0.cooling.liquid.facility_class" in paths
    assert "cabins.0.cooling.liquid.coolant_volume_m3" in paths
    with pytest.raises(ScenarioError) as exc:
        scenario_from_dict(_liquid_data(supply_setpoint_c=44.0))
    assert "throttling band" in str(exc.value) and "cabins.0.cooling.liquid" in dict(exc.value.problems)


def test_liquid_section_needs_a_liquid_cooled_server():
    from twin.scenario import scenario_from_dict

    data = _liquid_data()
    data["cabins"][0]["racks"].update(server="dgx-h100", servers_per_rack=4, rack_mass_kg=150.0)
    with pytest.raises(ScenarioError, match="cooling.liquid: no server type of the racks has cold plates"):
        scenario_from_dict(data)
