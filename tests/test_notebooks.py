"""The tutorial notebooks run from top to bottom and show what they promise.

The notebooks are kept as jupytext "percent" scripts (``notebooks/*.py``).  Each test reads
one into a notebook in memory and executes it in a fresh kernel of this interpreter, whose
working directory and temporary directory are a pytest temporary directory: run directories
land there, and no ``.ipynb`` is written anywhere.  A notebook passes when no cell raises, at
least one output is a picture (``image/png``) and at least one an HTML table (a pandas
DataFrame), and the repository's ``notebooks/`` folder and top level are unchanged afterwards.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")
kernelspec = pytest.importorskip("ipykernel.kernelspec")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.py"))
SRC = ROOT / "src"


def _snapshot() -> set[str]:
    """Every path under notebooks/ and every top-level name of the repository."""
    inside = {
        str(p.relative_to(ROOT)) for p in NOTEBOOK_DIR.rglob("*") if "__pycache__" not in p.parts
    }
    return inside | {p.name for p in ROOT.iterdir()}


def _outputs(nb) -> list[dict]:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]


def _kernel_env(tmp: Path) -> dict[str, str]:
    """The kernel imports the package under test (src/) and writes temporary files in ``tmp``."""
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "TMPDIR": str(tmp), "JAX_PLATFORMS": "cpu"}


def test_there_are_four_tutorials_and_no_ipynb_beside_them():
    assert [p.name for p in NOTEBOOKS] == [
        "01_rule_arrays.py",
        "02_simplicity_bias.py",
        "03_sgd_vs_bayes.py",
        "04_grokking.py",
    ]
    assert not list(NOTEBOOK_DIR.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_a_percent_script_with_prose_and_a_scale_up_cell(path):
    nb = jupytext.read(path)
    text = nb.metadata["jupytext"]["text_representation"]
    assert text["format_name"] == "percent"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    kinds = [cell.cell_type for cell in nb.cells]
    assert kinds[0] == "markdown" and kinds.count("markdown") >= 5 and "code" in kinds
    last = nb.cells[-1]
    assert last.cell_type == "markdown" and "Scale up" in last.source
    assert "minimodels " in last.source  # the command lines


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_shows_a_figure_and_a_table(path, tmp_path, monkeypatch):
    # a kernel spec of this interpreter, found first (whatever "python3" means elsewhere)
    spec_root = tmp_path / "jupyter"
    kernelspec.write_kernel_spec(spec_root / "kernels" / "python3")
    monkeypatch.setenv("JUPYTER_PATH", str(spec_root))
    work = tmp_path / "work"
    work.mkdir()
    before = _snapshot()

    nb = jupytext.read(path)
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}
    )
    started = time.perf_counter()
    client.execute(env=_kernel_env(work))  # raises CellExecutionError if a cell fails
    print(f"{path.name}: {time.perf_counter() - started:.1f} s")

    outputs = _outputs(nb)
    assert not [out for out in outputs if out.output_type == "error"]
    shown = [out for out in outputs if out.output_type in ("display_data", "execute_result")]
    assert any("image/png" in out.get("data", {}) for out in shown), "no figure was shown"
    assert any("<table" in out.get("data", {}).get("text/html", "") for out in shown), (
        "no DataFrame was shown"
    )
    assert _snapshot() == before, "the notebook wrote into the repository"
