"""A validation report as JSON-ready data, Markdown, or JUnit XML (one testcase per rule and case).

JUnit: ``<testsuites>`` holds one ``<testsuite>`` per case; each rule that applies to the case is a ``<testcase>``
named by the rule, its classname ``<design>.<case>``; a failed rule has a ``<failure>`` whose message gives the
figure and the limit, a case that did not run gives each of its rules an ``<error>``. The figure, limit and unit
are also in the testcase's ``<properties>``.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from twin.sim.kpis import KPI_UNITS

__all__ = ["report_dict", "report_markdown", "report_junit"]


def _num(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _fmt(v) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "n/a"
        return f"{v:.4g}" if abs(v) < 1e5 else f"{v:,.0f}"
    return str(v)


def report_dict(rep) -> dict:
    from twin.studies.validate import HEADLINE_KPIS

    return {
        "design": rep.design, "passed": rep.passed, "exit_code": rep.exit_code, "rules": rep.rules_source,
        "cases_source": rep.cases_source, "backend": rep.backend, "wall_s": rep.wall_s,
        "counts": {s: sum(r.status == s for r in rep.results) for s in ("pass", "fail", "error")},
        "cases": [{
            "name": c.name, "description": c.description, "status": c.status, "error": c.error, "note": c.note,
            "start": c.scenario.run.start.isoformat(), "horizon_s": c.scenario.run.horizon_s,
            "step_s": c.scenario.run.step_s, "seed": c.scenario.run.seed, "wall_s": c.wall_s,
            "figures": {k: _num(c.kpis.get(k)) for k in HEADLINE_KPIS if k in c.kpis} if c.kpis else {},
        } for c in rep.cases],
        "results": [{
            "rule": r.rule, "case": r.case, "figure_name": r.figure_name, "figure": _num(r.figure),
            "limit": r.limit, "unit": r.unit, "status": r.status, "message": r.message,
            "description": r.description, "source": r.source,
        } for r in rep.results],
    }


def report_markdown(rep) -> str:
    from twin.studies.validate import HEADLINE_KPIS

    verdict = "PASSED" if rep.passed else "FAILED"
    n_fail = sum(r.status == "fail" for r in rep.results)
    n_err = sum(r.status == "error" for r in rep.results)
    lines = [f"# Design validation of {rep.design}: {verdict}", "",
             f"{len(rep.results)} rule checks over {len(rep.cases)} cases: "
             f"{len(rep.results) - n_fail - n_err} passed, {n_fail} failed, {n_err} could not be judged. "
             f"Rules: {rep.rules_source}; cases: {rep.cases_source}; ran on {rep.backend} in {rep.wall_s:.1f} s.",
             "", "## Results", "", "| case | rule | figure | value | limit | unit | result |",
             "| --- | --- | --- | ---: | --- | --- | --- |"]
    for r in rep.results:
        mark = {"pass": "pass", "fail": "**FAIL**", "error": "**ERROR**"}[r.status]
        lines.append(f"| {r.case} | {r.rule} | {r.figure_name} | {_fmt(r.figure)} | {r.limit} | {r.unit} | {mark} |")
    if rep.failures:
        lines += ["", "## Failures", ""]
        for r in rep.failures:
            lines.append(f"- **{r.rule}** in case **{r.case}**: {r.message}" + (f" ({r.source})" if r.source
                                                                                   else ""))
    lines += ["", "## Cases", "", "| case | what | start | horizon [d] | step [s] | seed | "
              + " | ".join(HEADLINE_KPIS) + " |", "| --- | --- | --- | ---: | ---: | ---: | "
              + " | ".join("---:" for _ in HEADLINE_KPIS) + " |"]
    for c in rep.cases:
        what = (c.description.strip().replace("\n", " ") + (f" ({c.note})" if c.note else "")).replace("|", "/")
        if c.status == "failed":
            what += f" **did not run: {c.error}**"
        figs = " | ".join(_fmt(c.kpis.get(k)) if c.kpis else "n/a" for k in HEADLINE_KPIS)
        lines.append(f"| {c.name} | {what} | {c.scenario.run.start.isoformat()} | "
                     f"{c.scenario.run.horizon_s / 86400:g} | {c.scenario.run.step_s:g} | {c.scenario.run.seed} | "
                     f"{figs} |")
    lines += ["", "Units: " + ", ".join(f"{k} [{KPI_UNITS.get(k, '')}]" for k in HEADLINE_KPIS), ""]
    if any(r.source for r in rep.results):
        lines += ["## Rules and their sources", ""]
        seen = set()
        for r in rep.results:
            if r.rule not in seen:
                seen.add(r.rule)
                lines.append(f"- **{r.rule}** ({r.figure_name} {r.limit}): {r.description.strip()} "
                             f"Source: {r.source.strip() or 'not given'}")
        lines.append("")
    return "\n".join(lines)


def report_junit(rep) -> str:
    suites = ET.Element("testsuites", name=f"seabed-twin validate {rep.design}", tests=str(len(rep.results)),
                        failures=str(sum(r.status == "fail" for r in rep.results)),
                        errors=str(sum(r.status == "error" for r in rep.results)), time=f"{rep.wall_s:.3f}")
    for c in rep.cases:
        mine = [r for r in rep.results if r.case == c.name]
        suite = ET.SubElement(suites, "testsuite", name=f"{rep.design}.{c.name}", tests=str(len(mine)),
                              failures=str(sum(r.status == "fail" for r in mine)),
                              errors=str(sum(r.status == "error" for r in mine)), skipped="0",
                              time=f"{c.wall_s or 0.0:.3f}")
        props = ET.SubElement(suite, "properties")
        for k, v in (("start", c.scenario.run.start.isoformat()), ("horizon_s", f"{c.scenario.run.horizon_s:g}"),
                     ("step_s", f"{c.scenario.run.step_s:g}"), ("seed", str(c.scenario.run.seed)),
                     ("note", c.note)):
            ET.SubElement(props, "property", name=k, value=v)
        for r in mine:
            tc = ET.SubElement(suite, "testcase", classname=f"{rep.design}.{c.name}", name=r.rule,
                               time=f"{(c.wall_s or 0.0) / max(len(mine), 1):.3f}")
            tp = ET.SubElement(tc, "properties")
            for k, v in (("figure", r.figure_name), ("value", _fmt(r.figure)), ("limit", r.limit), ("unit", r.unit)):
                ET.SubElement(tp, "property", name=k, value=v)
            if r.status == "fail":
                f = ET.SubElement(tc, "failure", message=r.message, type="RuleFailed")
                f.text = f"{r.description}\nsource: {r.source}".strip()
            elif r.status == "error":
                e = ET.SubElement(tc, "error", message=r.message, type="CaseFailed")
                e.text = c.error or ""
            out = ET.SubElement(tc, "system-out")
            out.text = f"{r.figure_name} = {_fmt(r.figure)} {r.unit}; limit {r.limit}"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
