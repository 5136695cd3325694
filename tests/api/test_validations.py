"""Validations over HTTP (issue 8): the rules judged on runs of the pool, the same figures as twin.validate, JUnit,
and 422 naming the field for bad rules and cases."""

from __future__ import annotations

import time

import pytest

RULES = {"rules": [
    {"name": "pue", "kpi": "pue", "max": 1.15, "source": "Lingang design target"},
    {"name": "ref", "kpi": "ref", "min": 0.5, "source": "EnEfG 2023 section 11"},
    {"name": "inlet", "series": "inlet_temp_c", "statistic": "max", "max": 32.0, "source": "ASHRAE A1"},
    {"name": "jobs", "kpi": "jobs_completed", "job_class": "default", "min": 1, "source": "the class's work is done"},
]}
CASES = {"cases": [
    {"name": "day", "horizon": "1d", "step": "300s"},
    {"name": "calm", "horizon": "1d", "step": "300s", "overrides": ["wind.resource.weibull_c_m_s=0.62"]},
]}


def wait_validation(client, vid: str, timeout: float = 180.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/v1/validations/{vid}").json()
        if body["status"] == "completed":
            return body
        time.sleep(0.2)
    raise AssertionError(f"validation {vid} still {body['status']}")


def test_a_validation_runs_its_cases_and_judges_every_rule(client):
    from junitparser import JUnitXml

    from twin.studies.validate import validate

    r = client.post("/v1/validations", json={"design": "lingang-phase1", "rules": RULES, "cases": CASES,
                                             "name": "ci"})
    assert r.status_code == 202, r.text
    body = r.json()
    assert r.headers["location"] == f"/v1/validations/{body['id']}"
    assert [c["name"] for c in body["cases"]] == ["day", "calm"] and all(c["run_id"] for c in body["cases"])
    done = wait_validation(client, body["id"])
    assert done["passed"] is False and done["counts"] == {"pass": 7, "fail": 1, "error": 0}
    failed = [(x["rule"], x["case"]) for x in done["results"] if x["status"] == "fail"]
    assert failed == [("ref", "calm")]
    # each case is an ordinary run
    run = client.get(f"/v1/runs/{done['cases'][1]['run_id']}").json()
    assert run["scenario"]["wind"]["resource"]["weibull_c_m_s"] == 0.62
    # the same figures as twin.validate in one process
    local = validate("lingang-phase1", RULES, CASES, backend="serial")
    assert [(x.rule, x.case, x.status) for x in local.results] == \
        [(x["rule"], x["case"], x["status"]) for x in done["results"]]
    assert [x.figure for x in local.results] == pytest.approx([x["figure"] for x in done["results"]], rel=1e-12)
    xml = JUnitXml.fromstring(client.get(f"/v1/validations/{body['id']}?format=junit").content)
    assert sum(1 for s in xml for _ in s) == 8
    jobs = [x for x in done["results"] if x["rule"] == "jobs"]
    assert all(x["figure"] > 0 and x["figure_name"] == "jobs_completed of class default" for x in jobs)
    md = client.get(f"/v1/validations/{body['id']}?format=md")
    assert md.headers["content-type"].startswith("text/markdown") and "FAILED" in md.text


def test_bad_rules_and_cases_are_422_naming_the_field(client):
    bad = {"rules": [{"name": "x", "kpi": "pue_typo", "max": 1}]}
    r = client.post("/v1/validations", json={"design": "lingang-phase1", "rules": bad, "cases": CASES})
    assert r.status_code == 422
    (p,) = r.json()["problems"]
    assert p["field"] == "rules.0.kpi" and "pue_typo" in p["reason"]
    r = client.post("/v1/validations", json={"design": "lingang-phase1", "cases": CASES, "rules": {"rules": [
        {"name": "x", "kpi": "job_wait_p95_s", "job_class": "web", "max": 60}]}})
    p = r.json()["problems"][0]
    assert r.status_code == 422 and p["field"] == "rules.0.job_class" and "'web'" in p["reason"]
    cases = {"cases": [{"name": "c", "overrides": ["site.no_such_field=1"]}]}
    r = client.post("/v1/validations", json={"design": "lingang-phase1", "rules": RULES, "cases": cases})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "cases.c.site.no_such_field"
    r = client.post("/v1/validations", json={"design": "lingang-phase1", "rules": "/etc/passwd"})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "rules"
    r = client.post("/v1/validations", json={"design": "lingang-phase1", "rules": RULES, "cases": "default-cases"})
    assert r.status_code == 422  # a year at 60 s is beyond the test server's 50,000 steps per run
    assert r.json()["problems"][0]["field"] == "cases.design-year.run.horizon_s"
    assert client.post("/v1/validations", json={"design": "no-such-design"}).status_code == 404
    assert client.get("/v1/validations/0123abc").status_code == 404
