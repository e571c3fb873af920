"""tools/render_machines.py renders every table entry it claims to."""

from __future__ import annotations

import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("render_machines", ROOT / "tools/render_machines.py")
assert spec and spec.loader
render = importlib.util.module_from_spec(spec)
spec.loader.exec_module(render)


def test_mermaid_has_every_non_self_transition() -> None:
    for name, table in render.MACHINES.items():
        text = render.mermaid(name, table, self_loops=False)
        for (src, inp), dst in table.items():
            if src is not dst:
                line = next(
                    ln
                    for ln in text.splitlines()
                    if ln.strip().startswith(f"{src.name} --> {dst.name}:")
                )
                assert inp.name in line.split(":", 1)[1].split(", ") or inp.name in line


def test_dot_with_self_loops_counts_every_pair(tmp_path: pathlib.Path) -> None:
    assert render.main(["--format", "dot", "--self-loops", "--out", str(tmp_path)]) == 0
    for name, table in render.MACHINES.items():
        text = (tmp_path / f"{name}.dot").read_text()
        labels = [
            ln.split('label="', 1)[1].rsplit('"', 1)[0] for ln in text.splitlines() if "->" in ln
        ]
        assert sum(len(label.split("\\n")) for label in labels) == len(table)
