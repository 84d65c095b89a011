"""The pytest-benchmark suite: every workload of the registry ``workloads.py`` (the one
``compare.py`` prints its table from), timed for rtensor, numpy and torch (each when installed)
with the ``benchmark`` fixture, one group per workload.

    pytest benches --benchmark-group-by=group        # the libraries side by side, per workload
    pytest benches --benchmark-autosave              # keep this run (.benchmarks/)
    pytest benches --benchmark-compare               # ... and compare with the last one kept
    pytest benches --benchmark-disable               # each workload once, as a plain test (CI)
    pytest benches -k "sum and rtensor"              # a selection

Each test also checks its library's result against numpy's (the tolerance the workload declares),
so a fast wrong kernel fails here as it is flagged in compare.py. Timing is pytest-benchmark's own
(calibrated rounds, min/median/mean); compare.py's interleaved sampling and thread settings are
not repeated here, so use compare.py for the README's table and this suite to track one library
between commits.
"""
from __future__ import annotations

import subprocess
import sys

import pytest
from workloads import WORKLOADS, Data, disagreements

np = pytest.importorskip("numpy", reason="the workloads' inputs are made with numpy")

LIBS = ("rtensor", "numpy", "torch")


def _module(lib):
    """The library, or a skip when it is not installed."""
    return pytest.importorskip(lib)


@pytest.fixture(scope="module")
def data():
    """One input maker for the whole suite; the libraries' modules are filled in as they load."""
    return Data(np, {})


def _inputs(data, w, lib, mod):
    data.mods[lib] = mod
    return [data.for_lib(lib, shape, dtype, i) for i, (shape, dtype) in enumerate(w.inputs)]


def _callable(data, w, lib):
    """The zero-argument callable ``w`` times for ``lib``, or a skip when the library lacks the
    workload (no setup, or an API the library does not have)."""
    mod = _module(lib)
    setup = w.setup_for(lib)
    if setup is None:
        pytest.skip(f"{w.name}: no {lib} setup")
    try:
        return setup(mod, *_inputs(data, w, lib, mod))
    except AttributeError as e:
        pytest.skip(f"{w.name}: {lib} lacks {e}")


@pytest.mark.parametrize("lib", LIBS)
@pytest.mark.parametrize("w", WORKLOADS, ids=lambda w: w.name)
def test_workload(benchmark, data, w, lib):
    benchmark.group = w.name
    if w.runner == "imports":
        _module(lib)
        cmd = [sys.executable, "-c", f"import {lib}"]
        benchmark.pedantic(subprocess.run, args=(cmd,), kwargs={"check": True}, rounds=5)
        return
    f = _callable(data, w, lib)
    got = benchmark(f)
    if lib == "numpy" or w.np is None and w.all is None:
        return
    ref_setup = w.setup_for("numpy")
    try:
        ref = ref_setup(np, *_inputs(data, w, "numpy", np))()
    except AttributeError:  # numpy's peer is not installed (safetensors.numpy): nothing to compare
        return
    fatal = [msg for is_fatal, msg in disagreements(np, w, lib, got, ref) if is_fatal]
    assert not fatal, fatal
