"""docs/python.md runs as written: every ```python block of the page, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import twin

DOC = Path(twin.__file__).resolve().parents[1] / "docs" / "python.md"


def test_the_python_page_runs():
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) == 2
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)
    assert namespace["again"].kpis == namespace["result"].kpis
    assert namespace["report"].passed in (True, False)
    assert list(namespace["table"]["cabins.0.count"]) == [1, 2]
