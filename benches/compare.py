#!/usr/bin/env python3
"""rtensor against numpy and torch, in one process: a markdown table of median times.

    python benches/compare.py                      # every workload
    python benches/compare.py --filter cumsum      # workloads whose name contains "cumsum"
    python benches/compare.py --threads 1 --quick  # 1 thread in every library, 5 samples
    python benches/compare.py --json out.json --check

How a figure is taken: every workload builds its inputs once per library, from the same random
data, and its setup returns a zero-argument callable, so only the operation is timed (allocation
is timed only where it is the workload, as in ``clone()``). Each callable is warmed up and its
result checked against numpy's; then an inner repeat count is chosen so that one sample lasts at
least ``--sample-ms``, and the libraries are sampled in turn (rt, np, torch, rt, np, torch, ...)
so that noise on a shared machine hits them alike. A cell is the median time per call; the
Python call of the closure (printed in the header) is part of every figure. Imports are timed in
fresh interpreters: ``python -c "import X"`` minus ``python -c "pass"``.

ratio = rtensor's time / the best peer's time. A workload meets its target when every one of its
checks holds: (reference, limit) with reference "best" (fastest peer), "numpy", "torch", or
"rt:<other workload>" (rtensor's own time on another workload, for constant-time claims).

Adding a workload: call ``workload(...)`` in ``benches/workloads.py``, the registry this script
and the pytest-benchmark suite (``benches/test_benchmarks.py``) share.
A library whose API is missing (AttributeError) shows '-', as does a library that is not
installed. The exit code is 0 unless ``--check`` is given and a target is missed or unmeasured.
"""
from __future__ import annotations

import argparse
import ctypes
import datetime
import gc
import itertools
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from time import perf_counter_ns
from typing import Optional

from workloads import WORKLOADS, Data, Workload, disagreements

LIBS = ("rtensor", "numpy", "torch")
PEERS = ("numpy", "torch")
SHORT = {"rtensor": "rt", "numpy": "np", "torch": "torch"}

# numpy's OpenBLAS is slowed on this machine by these (a forced Haswell core type and a small L2
# size): the harness re-executes itself once without them so that numpy is measured at its best.
SLOW_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# Three thread pools share one process and 2 cores here, and an idle pool that spins long steals
# the cores from the library timed next. torch's GNU OpenMP workers busy-wait for several ms after
# each parallel region by default (numpy's 2 ms bmm then took 0.2-1 s); numpy's OpenBLAS workers
# spin (sched_yield) for 2^28 cycles after each BLAS call, burning 70-100 ms of CPU in the next
# library's sample. So each pool is held to about a millisecond of spinning: GOMP_SPINCOUNT=30000
# for torch (fully passive waiting would make torch wake its threads for every call: a 1M-element
# sum took 72 µs instead of 24), OPENBLAS_THREAD_TIMEOUT=22 (2^22 cycles) for OpenBLAS, while
# rtensor's helpers spin 0.5 ms by design. Every pool stays hot across the back-to-back calls of
# its own sample.
ADDED_ENV = {"GOMP_SPINCOUNT": "30000", "OPENBLAS_THREAD_TIMEOUT": "22"}
REEXEC_MARK = "RTENSOR_BENCH_REEXEC"

# ---------------------------------------------------------------------------------------------
# Environment: re-exec, libraries, BLAS, threads
# ---------------------------------------------------------------------------------------------

def maybe_reexec(args) -> None:
    """Run again, once, without SLOW_ENV and with ADDED_ENV (unless set). Before any import."""
    if args.keep_env or REEXEC_MARK in os.environ:
        return
    removed = {k: os.environ[k] for k in SLOW_ENV if k in os.environ}
    added = {k: v for k, v in ADDED_ENV.items() if k not in os.environ}
    if not removed and not added:
        return
    env = {k: v for k, v in os.environ.items() if k not in removed}
    env.update(added)
    env[REEXEC_MARK] = json.dumps({"removed": removed, "added": added})
    argv = list(getattr(sys, "orig_argv", None) or [sys.executable, *sys.argv])
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, argv, env)


def import_libs(wanted) -> tuple:
    mods, why = {}, {}
    for lib in ("numpy", "torch", "rtensor"):
        if lib not in wanted and lib != "numpy":
            mods[lib], why[lib] = None, "left out by --libs"
            continue
        try:
            mods[lib] = __import__(lib)
        except Exception as e:  # ImportError, or a broken build raising something else
            mods[lib] = None
            why[lib] = f"{type(e).__name__}: {e}"
    if mods["numpy"] is None:
        sys.exit("benches/compare.py needs numpy (inputs are built with it): " + why["numpy"])
    return mods, why


class OpenBLAS:
    """The OpenBLAS that numpy loaded, through its C API, found as threadpoolctl finds it."""

    def __init__(self):
        self.lib, self.prefix, self.suffix, self.path = None, "", "", ""
        try:
            with open("/proc/self/maps") as f:
                paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
        except OSError:
            return
        for path in sorted(paths):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for prefix, suffix in itertools.product(("scipy_openblas", "openblas"), ("64_", "")):
                if hasattr(lib, f"{prefix}_get_num_threads{suffix}"):
                    self.lib, self.prefix, self.suffix, self.path = lib, prefix, suffix, path
                    return

    def _fn(self, name, restype=ctypes.c_int):
        f = getattr(self.lib, f"{self.prefix}_{name}{self.suffix}", None) if self.lib else None
        if f is not None:
            f.restype = restype
        return f

    def corename(self):
        f = self._fn("get_corename", ctypes.c_char_p)
        return f().decode() if f else None

    def num_threads(self):
        f = self._fn("get_num_threads")
        return f() if f else None

    def set_num_threads(self, n) -> bool:
        f = self._fn("set_num_threads", None)
        if f is None:
            return False
        f(ctypes.c_int(n))
        return self.num_threads() == n


def numpy_blas(np, openblas: OpenBLAS) -> str:
    name = "?"
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        name = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # numpy < 1.26 has no mode="dicts": name the core type alone
        pass
    core = openblas.corename()
    if core:
        name += f", core {core}"
    return name


def set_threads(n: int, mods, openblas: OpenBLAS, notes: list) -> None:
    rt, torch = mods["rtensor"], mods["torch"]
    if rt is not None:
        try:
            rt.set_num_threads(n)
        except Exception as e:
            notes.append(f"rtensor.set_num_threads({n}) failed ({type(e).__name__}: {e}): "
                         f"it runs with its default")
    if torch is not None:
        torch.set_num_threads(n)
    try:
        from threadpoolctl import threadpool_limits
        set_threads.keep = threadpool_limits(limits=n)  # the limit lasts while this object lives
        return
    except ImportError:
        pass
    if not openblas.set_num_threads(n):
        notes.append(f"numpy's BLAS threads could not be changed at runtime: start with "
                     f"OPENBLAS_NUM_THREADS={n} to set them")


def thread_counts(mods, openblas: OpenBLAS) -> dict:
    out = {}
    try:
        out["rtensor"] = mods["rtensor"].get_num_threads() if mods["rtensor"] else None
    except AttributeError:
        out["rtensor"] = None
    out["numpy"] = openblas.num_threads()
    out["torch"] = mods["torch"].get_num_threads() if mods["torch"] else None
    return out


class CpuMeter:
    """How many cores other processes kept busy meanwhile: noise that the table cannot show."""

    def snap(self):
        try:
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:9]]
        except (OSError, ValueError):
            return None
        t = os.times()
        own = t.user + t.system + t.children_user + t.children_system
        busy = (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait
        return busy, own, perf_counter_ns()

    @staticmethod
    def others(a, b) -> Optional[float]:
        if a is None or b is None or b[2] <= a[2]:
            return None
        return max(0.0, (b[0] - a[0]) - (b[1] - a[1])) / ((b[2] - a[2]) / 1e9)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# ---------------------------------------------------------------------------------------------
# Inputs and timing
# ---------------------------------------------------------------------------------------------

def time_loop(f, n: int) -> int:
    it = itertools.repeat(None, n)
    t0 = perf_counter_ns()
    for _ in it:
        f()
    return perf_counter_ns() - t0


def calibrate(f, min_ns: int) -> tuple:
    """Inner repeat count giving a sample of at least min_ns, and that sample's length."""
    n = 1
    while True:
        t = time_loop(f, n)
        if t >= min_ns or n >= 10 ** 8:
            return n, t
        n = min(n * 1000, max(n * 2, int(n * min_ns * 1.15 / max(t, 1)) + 1))


def call_overhead(min_ns: int) -> float:
    f = lambda: None  # noqa: E731
    n, _ = calibrate(f, min_ns)
    return statistics.median(time_loop(f, n) / n for _ in range(5))


@dataclass
class LibResult:
    status: str                     # ok | unavailable | missing | error
    median_ns: Optional[float] = None
    samples_ns: list = field(default_factory=list)
    inner: int = 0
    detail: str = ""


@dataclass
class Result:
    workload: Workload
    libs: dict
    notes: list = field(default_factory=list)
    ratio: Optional[float] = None
    verdicts: list = field(default_factory=list)  # (reference, limit, ratio, passed)
    ok: Optional[bool] = None                     # None: no target, or not measured
    others_cores: Optional[float] = None          # cores other processes used meanwhile

    def rt(self):
        return self.libs["rtensor"].median_ns


def verify(np, w: Workload, results: dict, notes: list) -> None:
    """Compare each library's result with numpy's: a fast wrong kernel must not look good."""
    if "numpy" not in results:
        return
    for lib, r in results.items():
        if lib != "numpy":
            notes.extend(msg for _, msg in disagreements(np, w, lib, r, results["numpy"]))


def measure(w: Workload, ctx) -> Result:
    libs, notes, fns, results = {}, [], {}, {}
    gc.collect()
    for lib in LIBS:
        mod = ctx.mods[lib]
        if mod is None:
            libs[lib] = LibResult("unavailable")
            continue
        setup = w.setup_for(lib)
        if setup is None:
            libs[lib] = LibResult("missing", detail="no setup for this library")
            continue
        try:
            xs = [ctx.data.for_lib(lib, shape, dtype, i) for i, (shape, dtype) in enumerate(w.inputs)]
            f = setup(mod, *xs)
            results[lib] = f()  # warm-up, kept for verification
            f()
        except AttributeError as e:  # summed up under the table, not a note per row
            libs[lib] = LibResult("missing", detail=str(e))
            continue
        except Exception as e:
            libs[lib] = LibResult("error", detail=f"{type(e).__name__}: {e}")
            notes.append(f"{lib}: {type(e).__name__}: {e}")
            continue
        if lib in ctx.timed:
            fns[lib] = f
        else:  # numpy left out by --libs: its result still serves to verify the others
            libs[lib] = LibResult("unavailable", detail="left out by --libs")
    verify(ctx.np, w, results, notes)
    del results
    if not fns:
        return Result(w, libs, notes)

    inner, sample_ns = {}, 0
    for lib, f in fns.items():
        inner[lib], t = calibrate(f, ctx.sample_ns)
        sample_ns += t
    n_samples = ctx.samples
    if sample_ns * n_samples > ctx.max_ns:  # a slow workload: fewer samples, never below 5
        n_samples = max(min(5, ctx.samples), int(ctx.max_ns // max(sample_ns, 1)))
        notes.append(f"{n_samples} samples (time budget --max-seconds)")
    samples = {lib: [] for lib in fns}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(n_samples):
            for lib, f in fns.items():  # interleaved: rt, np, torch, rt, np, torch, ...
                samples[lib].append(time_loop(f, inner[lib]) / inner[lib])
    finally:
        if gc_was_enabled:
            gc.enable()
    for lib in fns:
        libs[lib] = LibResult("ok", statistics.median(samples[lib]), samples[lib], inner[lib])
    return Result(w, libs, notes)


def run_imports(w: Workload, ctx) -> Result:
    """`python -c "import X"` minus `python -c "pass"`, in fresh interpreters, interleaved."""
    codes = {"": "pass", **{lib: f"import {lib}" for lib in LIBS if lib in ctx.timed}}

    def once(code):
        t0 = perf_counter_ns()
        p = subprocess.run([sys.executable, "-c", code], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        return perf_counter_ns() - t0, p.returncode, p.stderr

    libs = {lib: LibResult("unavailable", detail="left out by --libs") for lib in LIBS}
    notes, live = [], []
    for key, code in codes.items():  # warm-up: file cache, and is it importable at all?
        _, rc, err = once(code)
        if rc == 0:
            live.append(key)
        elif key:
            last = (err.strip().splitlines() or ["?"])[-1]
            libs[key] = LibResult("unavailable", detail=last)
        else:
            sys.exit(f"`{sys.executable} -c pass` failed: {err}")
    times = {key: [] for key in live}
    for _ in range(ctx.import_runs):
        for key in live:
            times[key].append(once(codes[key])[0])
    base = statistics.median(times[""])
    for key in live:
        if key:
            s = [t - base for t in times[key]]
            libs[key] = LibResult("ok", statistics.median(s), s, 1)
    notes.append(f"fresh interpreters, median of {ctx.import_runs}; `python -c pass` "
                 f"({fmt_ns(base)}) subtracted")
    return Result(w, libs, notes)


def evaluate(res: Result, done: dict) -> None:
    rt = res.rt()
    peers = {lib: res.libs[lib].median_ns for lib in PEERS if res.libs[lib].status == "ok"}
    best = min(peers.values()) if peers else None
    if rt is not None and best:
        res.ratio = rt / best
    if rt is None or not res.workload.checks:
        return
    for ref, limit in res.workload.checks:
        if ref == "best":
            denom = best
        elif ref.startswith("rt:"):
            other = done.get(ref[3:])
            denom = other.rt() if other else None
        else:
            denom = peers.get(ref)
        if denom:
            r = rt / denom
            res.verdicts.append((ref, limit, r, r <= limit))
        else:
            res.notes.append(f"check against {ref} skipped: no figure for it")
    if res.verdicts:
        res.ok = all(v[3] for v in res.verdicts)


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

def missing_api(message: str) -> str:
    """'rtensor.Tensor' object has no attribute 'sum' -> Tensor.sum"""
    m = re.match(r"(?:module )?'([\w.]+)'(?: object)? has no attribute '(\w+)'", message)
    return f"{m.group(1).rsplit('.', 1)[-1]}.{m.group(2)}" if m else message


def fmt_ns(ns: Optional[float]) -> str:
    if ns is None:
        return "-"
    for unit, scale in (("ns", 1.0), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)):
        v = ns / scale
        if abs(v) < 1000 or unit == "s":
            break
    digits = 2 if abs(v) < 10 else 1 if abs(v) < 100 else 0
    return f"{v:.{digits}f} {unit}"


def fmt_ratio(r: Optional[float]) -> str:
    if r is None:
        return "-"
    return f"{r:.2g}" if r < 0.1 else f"{r:.2f}"


def ok_cell(res: Result) -> str:
    if not res.workload.checks:
        return ""
    if res.rt() is None:
        return "-"
    if res.ok is None:
        return "?"
    word = "yes" if res.ok else "**NO**"
    peers = {lib: res.libs[lib].median_ns for lib in PEERS if res.libs[lib].status == "ok"}
    best_lib = min(peers, key=peers.get) if peers else None
    extra = []
    for ref, _, r, _ in res.verdicts:
        if ref == "best" or ref == best_lib:
            continue  # the ratio column already says it
        extra.append(f"x{fmt_ratio(r)} of 1K" if ref.startswith("rt:") and "[1K" in ref
                     else f"x{fmt_ratio(r)} of {ref.removeprefix('rt:')}")
    return f"{word} ({', '.join(extra)})" if extra else word


def gflops_cell(res: Result) -> str:
    w = res.workload
    if not w.flops:
        return ""
    return " / ".join("-" if res.libs[lib].median_ns is None
                      else f"{w.flops / res.libs[lib].median_ns:.0f}" for lib in LIBS)


BUSY_CORES = 0.25  # rows during which other processes used more get a dagger


def busy(r: Result) -> bool:
    return r.others_cores is not None and r.others_cores >= BUSY_CORES


def table(results: list) -> str:
    flops = any(r.workload.flops for r in results)
    head = ["workload", "rtensor", "numpy", "torch", "ratio", "target", "ok?"]
    if flops:
        head.append("GFLOP/s rt / np / torch")
    rows = [head, ["---"] * len(head)]
    for r in results:
        row = [r.workload.name + (" †" if busy(r) else "")]
        row += [fmt_ns(r.libs[lib].median_ns) for lib in LIBS]
        row += [fmt_ratio(r.ratio), r.workload.target, ok_cell(r)]
        if flops:
            row.append(gflops_cell(r))
        rows.append(row)
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def to_json(meta: dict, results: list) -> dict:
    out = []
    for r in results:
        w = r.workload
        out.append({
            "name": w.name, "group": w.group, "target": w.target,
            "checks": [list(c) for c in w.checks], "flops": w.flops or None,
            "ratio": r.ratio, "ok": r.ok, "notes": r.notes, "others_cores": r.others_cores,
            "verdicts": [{"reference": v[0], "limit": v[1], "ratio": v[2], "passed": v[3]}
                         for v in r.verdicts],
            "libs": {lib: {"status": x.status, "median_ns": x.median_ns, "inner": x.inner,
                           "samples_ns": x.samples_ns, "detail": x.detail}
                     for lib, x in r.libs.items()},
        })
    return {"meta": meta, "results": out}


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--filter", action="append", default=[], metavar="SUBSTR",
                   help="run the workloads whose name or group contains SUBSTR (repeatable)")
    p.add_argument("--threads", type=int, metavar="N",
                   help="threads for rtensor, torch and numpy's BLAS (default: each one's own)")
    p.add_argument("--samples", type=int, help="samples per library (default 15, --quick 5)")
    p.add_argument("--quick", action="store_true", help="fewer samples and import runs")
    p.add_argument("--sample-ms", type=float, default=20.0,
                   help="minimum length of one sample, in ms (default 20)")
    p.add_argument("--max-seconds", type=float, default=20.0,
                   help="time budget of one workload; slow ones take fewer samples (default 20)")
    p.add_argument("--import-runs", type=int, help="runs per import (default 7, --quick 3)")
    p.add_argument("--json", metavar="PATH", help="also write every figure to PATH")
    p.add_argument("--check", action="store_true",
                   help="exit 1 when a target is missed or rtensor could not be measured")
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    p.add_argument("--libs", default=",".join(LIBS),
                   help="comma-separated libraries to time (default: all three)")
    p.add_argument("--keep-env", action="store_true",
                   help=f"do not re-exec without {' / '.join(SLOW_ENV)} and with "
                        f"{' / '.join(f'{k}={v}' for k, v in ADDED_ENV.items())}")
    args = p.parse_args(argv)
    args.samples = args.samples or (5 if args.quick else 15)
    args.import_runs = args.import_runs or (3 if args.quick else 7)
    args.libs = [x.strip() for x in args.libs.split(",") if x.strip()]
    unknown = set(args.libs) - set(LIBS)
    if unknown:
        p.error(f"unknown libraries {sorted(unknown)}; choose among {', '.join(LIBS)}")
    return args


def select(filters: list) -> list:
    if not filters:
        return list(WORKLOADS)
    picked = {w.name for w in WORKLOADS
              if any(f.lower() in w.name.lower() or f.lower() in w.group for f in filters)}
    by_name = {w.name: w for w in WORKLOADS}
    for name in list(picked):  # a check against another workload needs that one too
        picked.update(d for d in by_name[name].deps())
    return [w for w in WORKLOADS if w.name in picked]


class Ctx:
    pass


def main(argv=None) -> int:
    args = parse_args(argv)
    chosen = select(args.filter)
    if args.list:
        for w in WORKLOADS:
            print(f"{w.group:7} {w.name:34} {w.target}")
        return 0
    if not chosen:
        print(f"no workload matches {args.filter}", file=sys.stderr)
        return 1 if args.check else 0
    maybe_reexec(args)

    notes = []
    if REEXEC_MARK in os.environ:
        changed = json.loads(os.environ[REEXEC_MARK])
        if changed["removed"]:
            notes.append("re-executed without " + ", ".join(
                f"{k}={v}" for k, v in changed["removed"].items())
                + " so that numpy's OpenBLAS runs at its best")
        if changed["added"]:
            notes.append("re-executed with " + ", ".join(
                f"{k}={v}" for k, v in changed["added"].items())
                + " so that idle torch / OpenBLAS threads sleep instead of spinning")
    elif any(k in os.environ for k in SLOW_ENV):
        notes.append("--keep-env: " + ", ".join(f"{k}={os.environ[k]}" for k in SLOW_ENV
                                                if k in os.environ) + " left set (numpy slowed)")
    mods, why = import_libs(args.libs)
    np = mods["numpy"]
    openblas = OpenBLAS()
    if args.threads:
        set_threads(args.threads, mods, openblas, notes)
    threads = thread_counts(mods, openblas)

    ctx = Ctx()
    ctx.mods, ctx.np, ctx.data = mods, np, Data(np, mods)
    ctx.samples, ctx.import_runs, ctx.timed = args.samples, args.import_runs, args.libs
    ctx.sample_ns = int(args.sample_ms * 1e6)
    ctx.max_ns = args.max_seconds * 1e9
    overhead = call_overhead(ctx.sample_ns)

    def version(lib):
        m = mods[lib]
        return getattr(m, "__version__", "?") if m else f"not importable ({why[lib]})"

    def nthreads(lib):
        n = threads.get(lib)
        return f"{n} thread{'s' if n != 1 else ''}" if n else "threads: default"

    meta = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": f"{cpu_model()}, {os.cpu_count()} cores, {platform.system()} "
                   f"{platform.release()}",
        "python": platform.python_version(),
        "versions": {lib: version(lib) for lib in LIBS},
        "numpy_blas": numpy_blas(np, openblas), "threads": threads,
        "samples": args.samples, "sample_ms": args.sample_ms, "import_runs": args.import_runs,
        "call_overhead_ns": overhead, "notes": notes,
    }
    lines = [
        f"# rtensor vs numpy vs torch ({meta['date']})",
        "",
        f"- machine: {meta['machine']}; Python {meta['python']}",
        f"- rtensor {version('rtensor')}" + (f", {nthreads('rtensor')}" if mods["rtensor"] else ""),
        f"- numpy {version('numpy')}, BLAS {meta['numpy_blas']}, {nthreads('numpy')} "
        f"(only its BLAS calls — mm, mv, dot, bmm, norm — use them; its elementwise ops and "
        f"reductions are single-threaded)",
        f"- torch {version('torch')}" + (f", {nthreads('torch')}" if mods["torch"] else ""),
        f"- timing: median per call of {args.samples} samples of >= {args.sample_ms:g} ms each, "
        f"libraries interleaved; every figure includes ~{overhead:.0f} ns of Python call overhead",
        *(f"- {n}" for n in notes),
    ]
    print("\n".join(lines), flush=True)

    done, results = {}, []
    meter = CpuMeter()
    start = meter.snap()
    try:
        for i, w in enumerate(chosen, 1):
            print(f"[{i}/{len(chosen)}] {w.name} ...", end="", file=sys.stderr, flush=True)
            before = meter.snap()
            res = run_imports(w, ctx) if w.runner == "imports" else measure(w, ctx)
            res.others_cores = CpuMeter.others(before, meter.snap())
            evaluate(res, done)
            done[w.name] = res
            results.append(res)
            print(" " + ", ".join(f"{SHORT[lib]} {fmt_ns(res.libs[lib].median_ns)}"
                                  for lib in LIBS), file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        notes.append(f"interrupted: {len(results)} of {len(chosen)} workloads run")
        print(f"\n- {notes[-1]}")

    meta["others_cores"] = CpuMeter.others(start, meter.snap())
    print()
    print(table(results))
    footnotes = [f"- {r.workload.name}: {n}" for r in results for n in r.notes]
    loads = [r.others_cores for r in results if busy(r)]
    if loads:
        span = f"{min(loads):.1f}" + (f"-{max(loads):.1f}" if max(loads) - min(loads) >= 0.05
                                       else "")
        footnotes.append(f"- † other processes kept {span} of {os.cpu_count()} cores busy while "
                         f"the rows marked † ran: noisy figures")
    for lib in LIBS:
        gaps = sorted({missing_api(r.libs[lib].detail) for r in results
                       if r.libs[lib].status == "missing"})
        if gaps:
            footnotes.append(f"- {lib} lacks (its cells show '-'): {', '.join(gaps)}")
    if meta["others_cores"] is not None:
        footnotes.append(f"- other processes kept {meta['others_cores']:.2f} of {os.cpu_count()} "
                         f"cores busy on average during the whole run")
    if footnotes:
        print("\n" + "\n".join(footnotes))

    targeted = [r for r in results if r.workload.checks]
    met = sum(1 for r in targeted if r.ok is True)
    missed = [r for r in targeted if r.ok is False]
    unmeasured = [r for r in targeted if r.ok is None]  # no rtensor figure, or nothing to compare
    print(f"\ntargets: {met} met, {len(missed)} missed, {len(unmeasured)} not measured "
          f"(of {len(targeted)})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(to_json(meta, results), f, indent=1)
    if args.check and (missed or unmeasured):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
