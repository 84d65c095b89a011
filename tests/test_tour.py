"""The tour, `python -m rtensor`, runs to its end with numpy and without it (numpy is optional)."""

import subprocess
import sys

import pytest

SKIPPED = "numpy is not installed, so this chapter is skipped"


def _tour(hide_numpy: bool) -> str:
    """Runs the tour in a fresh interpreter (numpy made unimportable when asked); returns stdout."""
    code = "import runpy, sys\n"
    if hide_numpy:
        code += "sys.modules['numpy'] = None  # `import numpy` now raises ImportError\n"
    code += "runpy.run_module('rtensor', run_name='__main__')\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_tour_without_numpy_skips_its_numpy_chapter():
    out = _tour(hide_numpy=True)
    assert "# numpy round trips share memory" in out
    assert SKIPPED in out
    assert "import numpy as np" not in out


def test_tour_with_numpy_runs_its_numpy_chapter():
    pytest.importorskip("numpy")
    out = _tour(hide_numpy=False)
    assert SKIPPED not in out
    assert ">>> t.numpy() is not n, np.shares_memory(t.numpy(), n)\n(True, True)" in out
