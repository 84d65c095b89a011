# Crash-freedom: every public function and Tensor method, called with random and hostile arguments
# (tests/fuzz_worker.py), must return or raise an ordinary Python exception. A pyo3 PanicException,
# a SystemError, a segfault or abort (the worker's exit code) or a hang (the worker's watchdog) fails
# the test, and each failure is printed with its reproducer:
#
#     python tests/fuzz_worker.py --seed SEED --only INDEX --verbose
#
# The default run makes a few thousand calls; `make test-slow` (the `slow` marker) makes many more.
# RTENSOR_FUZZ_CALLS and RTENSOR_FUZZ_SEEDS (comma-separated) override the sizes of both runs.
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("fuzz_worker.py")
MAX_CRASHES = 10  # per seed: after a crash the worker restarts after the crashing call


def run_fuzz(seed, calls, timeout_per_call=20.0, total_timeout=900.0, systematic=False):
    """Runs calls 0..calls of `seed` (or the whole systematic pass), restarting after crashes.
    Returns (failures, calls made)."""
    failures, start, made = [], 0, 0
    extra = ["--systematic"] if systematic else []
    while start < calls:
        proc = subprocess.run(
            [sys.executable, str(WORKER), "--seed", str(seed), "--calls", str(calls), "--start",
             str(start), "--timeout", str(timeout_per_call)] + extra,
            capture_output=True, text=True, timeout=total_timeout,
        )
        last, done = None, False
        for line in proc.stdout.splitlines():
            if line.startswith("S "):
                idx, _, desc = line[2:].partition(" ")
                last = (int(idx), desc)
                made += 1
            elif line.startswith("F "):
                failures.append(json.loads(line[2:]))
            elif line.startswith("D "):
                done = True
        if done and proc.returncode == 0:
            break
        # The process died (signal, abort, watchdog exit): blame the last call it started.
        kind = "hang" if "Timeout" in proc.stderr else f"crash (exit code {proc.returncode})"
        if last is None:
            failures.append({"index": start, "name": "?", "call": "?", "kind": kind,
                             "error": proc.stderr[-2000:]})
            break
        failures.append({"index": last[0], "name": last[1].split("(")[0], "call": last[1], "kind": kind,
                         "error": _crash_lines(proc.stderr)})
        if sum(f["kind"] != "panic" for f in failures) >= MAX_CRASHES:
            break
        start = last[0] + 1
    for f in failures:
        f["seed"] = seed
        f["replay"] = "--systematic " if systematic else f"--seed {seed} "
    return failures, made


def _crash_lines(stderr):
    """The lines of a dead worker's stderr that say why it died (not the warnings before)."""
    keys = ("panicked", "memory allocation", "Fatal Python error", "Timeout", "Segmentation", "Aborted",
            "overflow", "File ")
    lines = [ln for ln in stderr.splitlines() if any(k in ln for k in keys)]
    return "\n".join(lines[:12]) or stderr[-1500:]


def report(failures):
    lines = [f"{len(failures)} failing call(s):"]
    for f in failures:
        lines.append(f"  [{f['kind']}] {f['call']}\n      {f['error'].strip()[:600]}\n"
                     f"      replay: python tests/fuzz_worker.py {f['replay']}--only {f['index']} --verbose")
    return "\n".join(lines)


def _env_int(name, default):
    return int(os.environ.get(name, default))


def _seeds(default):
    raw = os.environ.get("RTENSOR_FUZZ_SEEDS")
    return [int(s) for s in raw.split(",")] if raw else default


def test_fuzz_every_public_callable():
    calls = _env_int("RTENSOR_FUZZ_CALLS", 10000)
    failures, made = [], 0
    for seed in _seeds([20261127]):
        f, m = run_fuzz(seed, calls)
        failures += f
        made += m
    print(f"fuzz: {made} calls")
    assert made >= calls
    assert not failures, report(failures)


def test_fuzz_every_callable_with_every_hostile_value():
    """The systematic pass: each callable with each of fuzz_worker.HOSTILE as its first and as its
    second argument (about 29,000 calls)."""
    failures, made = run_fuzz(0, 10**9, systematic=True)
    print(f"fuzz (systematic): {made} calls")
    assert made > 20000
    assert not failures, report(failures)


@pytest.mark.slow
def test_fuzz_every_public_callable_long():
    calls = _env_int("RTENSOR_FUZZ_CALLS", 200000)
    failures, made = [], 0
    for seed in _seeds([1, 2, 3]):
        f, m = run_fuzz(seed, calls, total_timeout=3600.0)
        failures += f
        made += m
    print(f"fuzz: {made} calls")
    assert not failures, report(failures)


def test_worker_covers_every_public_callable():
    """The worker's target table holds every public function, Tensor method and property."""
    out = subprocess.run([sys.executable, str(WORKER), "--list"], capture_output=True, text=True,
                         check=True).stdout
    names = {line.split()[0] for line in out.splitlines()}
    import rtensor as rt

    for n in ("rt.zeros", "rt.tensor", "rt.einsum", "rt.linalg.vector_norm", "rt.autograd.grad",
              "Tensor.__getitem__", "Tensor.__setitem__", "Tensor.reshape", "Tensor.shape",
              "Tensor.requires_grad="):
        assert n in names, n
    for n in dir(rt.Tensor):
        if not n.startswith("_"):
            assert f"Tensor.{n}" in names, n
    # rt.special and every namespaced registry op (an alias such as special.expit, or a namespaced name)
    for n in dir(rt.special):
        if not n.startswith("_") and callable(getattr(rt.special, n)):
            assert f"rt.special.{n}" in names, n
    for entry in rt._rtensor._registry():
        for n in [entry["name"]] + list(entry["aliases"]):
            if entry["function"]:
                assert f"rt.{n}" in names, n
