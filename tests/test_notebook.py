"""The analysis notebook runs end to end against the sample warehouse's published copy, so it
never rots: every cell executes without error and the charts and tables come out."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (dev dependency)")
nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (dev dependency)")
pytest.importorskip("ipykernel", reason="ipykernel is not installed (dev dependency)")

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "funnel_analysis.ipynb"


def test_notebook_is_committed_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


def test_notebook_runs_against_the_published_sample(sample_data_dir, tmp_path, monkeypatch):
    assert (sample_data_dir / "published" / "funnel.duckdb").is_file()
    # The kernel is a child process: it inherits FUNNEL_DATA_DIR from this one.
    monkeypatch.setenv("FUNNEL_DATA_DIR", str(sample_data_dir))
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    nbformat.write(notebook, tmp_path / "funnel_analysis.executed.ipynb")

    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "published copy" in text and "not built" not in text
    assert "MQLs:" in text
    svgs = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) >= 6 and all("<rect" in o["data"]["image/svg+xml"] or "<polyline" in
                                  o["data"]["image/svg+xml"] for o in svgs)
    tables = [o for o in outputs if "text/html" in o.get("data", {})]
    assert len(tables) >= 6
