"""Writes special_golden.txt: torch's CPU values of the functions in src/kernels/special.rs.

Run once with torch installed (`python tests/data/special_golden.py`); the Rust tests in
src/kernels/special.rs read the file with include_str!. Format, after `#` comment lines, one
section per function (and parameter):

    @name [param]          polygamma's n or mvlgamma's p
    <inputs of argument 0>
    [<inputs of argument 1>]   binary functions: the cartesian product, argument 0 outer
    f64 <base64 of the float64 outputs, little-endian>
    f32 <base64 of the float32 outputs, little-endian>

Inputs are float64 values, specified as ` + `-joined parts: `lin lo hi n` (lo + (hi - lo) * i
/ (n - 1), i < n), `oct e0 e1 m` (ldexp(1 + j / m, e), e0 <= e < e1, j < m; `noct` the
negatives) or `list v ...` (decimal literals, nan, inf). The float32 inputs are the float64
inputs rounded to float32 (as torch's .to(torch.float32)). Each section is evaluated by torch
on one tensor holding all its inputs.
"""
import base64
import math
import os
import struct

import torch

SECTIONS = [
    ("erfinv", None, ["lin -1 1 201 + oct -40 -1 2 + noct -20 -1 1 + list 0 -0 1 -1 1.5 -2 nan inf -inf"
                      " 0.7 -0.7 0.69999 0.70001 0.99 0.999 0.9999 0.99999 0.999999 0.9999999"
                      " 0.99999994 -0.99999994 0.9999999999 -0.999999999999 0.9999999999999999"
                      " 1e-30 1e-300 5e-324 -1e-10"]),
    ("lgamma", None, ["lin -10 10 161 + oct -20 9 2 + list 1e10 1e20 1e30 3e38 1e300 1e308 0 -0 inf"
                      " -inf nan 0.9999 1.0001 1.9999 2.0001 -2.9999 -100.5 -1e5 -0.25 -1e-7"
                      " 2.4570247 -2.7476826"]),
    ("digamma", None, ["lin -10 10 161 + oct -20 10 2 + list 1e17 1e20 1e30 3e38 1e300 nan inf -inf -0 0"
                       " 1.4616321449683623 -0.5 -1e-10 -100.25 -1000.75 -12345.6 9.999 10.001"
                       " 0.5 -0.50001"]),
    ("polygamma 0", None, ["lin -5 5 21 + list 0 -0 nan -inf inf 1e-8"]),
    ("polygamma 1", None, ["lin -5 5 81 + oct -12 10 2 + list 1e20 1e30 nan inf -inf -0 0 -1e-5 -10.5"
                           " 0.4999 0.5001 -100.3"]),
    ("polygamma 2", None, ["lin -5 5 41 + oct -12 10 2 + list 1e20 nan inf -inf 0 -0 -10.5 -100.3"]),
    ("polygamma 3", None, ["lin -5 5 41 + oct -12 10 2 + list 1e20 nan inf -inf 0 -10.5"]),
    ("polygamma 6", None, ["lin -5 5 41 + oct -8 8 2 + list 1e20 nan inf 0 -10.5"]),
    ("mvlgamma 1", None, ["lin 0.01 20 41 + oct -10 10 1 + list 1e20 1e30 inf nan"]),
    ("mvlgamma 2", None, ["lin 0.51 20 41 + oct 0 10 1 + list 0.50001 1e20 inf nan"]),
    ("mvlgamma 3", None, ["lin 1.01 20 41 + oct 1 10 1 + list 1.00001 1e20 inf nan"]),
    ("mvlgamma 5", None, ["lin 2.01 20 41 + oct 2 10 1 + list 2.00001 1e20 inf nan"]),
    ("mvlgamma 8", None, ["lin 3.51 40 21 + list 3.50001 1e10 inf nan"]),
    ("mvlgamma 13", None, ["lin 6.01 60 21 + list 6.00001 1e10"]),
    ("mvlgamma 40", None, ["lin 19.51 100 11"]),
    ("mvlgamma 600", None, ["list 300 301.5 333.3 1000 1e5"]),
    ("zeta", None, ["list 1 1.5 2 2.5 3 4 5.5 8 12 20 40 100 0.5 nan inf",
                    "list -2.5 -1.5 -1 -0.5 0 1e-5 0.1 0.5 1 1.5 2 3 5 7.5 9 10 20 100 1000 1e5 1e10"
                    " nan inf"]),
    ("i0", None, ["lin -20 20 161 + oct -10 7 2 + list 8 -8 7.999 8.001 88 89 700 709 710 nan inf"
                  " -inf 0 -0"]),
    ("i0e", None, ["lin -20 20 161 + oct -10 10 2 + list 8 -8 7.999 8.001 1e10 1e30 1e300 nan inf"
                   " -inf 0 -0"]),
    ("i1", None, ["lin -20 20 161 + oct -10 7 2 + list 8 -8 7.999 8.001 88 89 -89 700 710 nan inf"
                  " -inf 0 -0 1e-30"]),
    ("i1e", None, ["lin -20 20 161 + oct -10 10 2 + list 8 -8 7.999 8.001 1e10 1e30 -1e300 nan inf"
                   " -inf 0 -0 1e-30"]),
    ("ndtr", None, ["lin -10 10 201 + list -40 -38 -30 -20 38.5 nan inf -inf 0 -0 1e-30"]),
    ("ndtri", None, ["lin 0 1 201 + oct -40 -1 2 + list 1e-100 1e-300 5e-324 -0.1 1.1 nan inf"
                     " 0.8646647167633873 0.1353352832366127 0.99 0.999 0.99999 0.9999999"
                     " 0.99999994 0.9999999999 0.99999999999999 -0"]),
    ("log_ndtr", None, ["lin -20 10 151 + list -1 -0.99 -1.01 -30 -50 -70 -71 -100 -1e3 -1e4 -1e8"
                        " -1e20 -1e150 -1e200 -1e300 15 20 40 inf -inf nan 0 -0"]),
    ("erfcx", None, ["lin -10 60 141 + list -26 -26.6 -26.8 -27 -30 -6 -6.05 -6.2 -0.5 1e8 1e300 nan"
                     " inf -inf 1e-20 0 -0 50 50.5 1e4 6e7"]),
    ("igamma", None, ["list 0 1e-3 0.1 0.5 1 1.5 2 3 5 10 19 21 30 50 99 150 199 201 300 1000 1e4 1e6",
                      "list 0 1e-3 0.1 0.3 0.5 0.7 1 1.05 1.2 2 3 5 8 10 15 20 25 30 45 60 100 140 190"
                      " 210 280 500 990 1010 1e4 1e6"]),
    ("igamma", None, ["list 0 -1 1 inf nan 1e-30 1e30", "list 0 -1 1 inf nan 1e-30 1e30"]),
    ("igamma", None, ["list 250 1000 1e4", "list 200 300 350 800 900 1100 1200 9000 11000 12000"]),
    ("igammac", None, ["list 0 1e-3 0.1 0.5 1 1.5 2 3 5 10 19 21 30 50 99 150 199 201 300 1000 1e4 1e6",
                       "list 0 1e-3 0.1 0.3 0.5 0.7 1 1.05 1.2 2 3 5 8 10 15 20 25 30 45 60 100 140"
                       " 190 210 280 500 990 1010 1e4 1e6"]),
    ("igammac", None, ["list 0 -1 1 inf nan 1e-30 1e30", "list 0 -1 1 inf nan 1e-30 1e30"]),
    ("igammac", None, ["list 250 1000 1e4", "list 200 300 350 800 900 1100 1200 9000 11000 12000"]),
    ("entr", None, ["lin -1 3 41 + oct -30 30 1 + list 0 -0 nan inf -inf 1e-300 5e-324 1e300"]),
    ("xlog1py", None, ["list 0 -0 1 -2.5 1e-10 1e30 nan inf",
                       "list -1 -0.5 -1e-10 0 1e-20 1 10 1e30 inf nan -2"]),
]

BINARY = {"zeta", "igamma", "igammac", "xlog1py"}


def parse(spec):
    out = []
    for part in spec.split(" + "):
        kind, *args = part.split()
        if kind == "lin":
            lo, hi, n = float(args[0]), float(args[1]), int(args[2])
            out += [lo + (hi - lo) * i / (n - 1) for i in range(n)]
        elif kind in ("oct", "noct"):
            e0, e1, m = map(int, args)
            s = -1.0 if kind == "noct" else 1.0
            out += [s * math.ldexp(1 + j / m, e) for e in range(e0, e1) for j in range(m)]
        elif kind == "list":
            out += [float(a) for a in args]
        else:
            raise ValueError(kind)
    return out


def torch_fn(name, param):
    sp = torch.special
    return {
        "erfinv": torch.erfinv,
        "lgamma": torch.lgamma,
        "digamma": torch.digamma,
        "polygamma": lambda x: torch.polygamma(param, x),
        "mvlgamma": lambda x: torch.mvlgamma(x, param),
        "zeta": sp.zeta,
        "i0": torch.i0,
        "i0e": sp.i0e,
        "i1": sp.i1,
        "i1e": sp.i1e,
        "ndtr": sp.ndtr,
        "ndtri": sp.ndtri,
        "log_ndtr": sp.log_ndtr,
        "erfcx": sp.erfcx,
        "igamma": torch.igamma,
        "igammac": torch.igammac,
        "entr": sp.entr,
        "xlog1py": sp.xlog1py,
    }[name]


def main():
    torch.set_num_threads(1)
    lines = [
        f"# torch {torch.__version__} CPU ({torch.backends.cpu.get_cpu_capability()}) values;"
        " written by special_golden.py, read by src/kernels/special.rs's tests.",
    ]
    for head, _, specs in SECTIONS:
        name, *p = head.split()
        param = int(p[0]) if p else None
        args = [parse(s) for s in specs]
        if name in BINARY:
            a, b = args
            cols = [[u for u in a for _ in b], [v for _ in a for v in b]]
        else:
            cols = args
        f = torch_fn(name, param)
        lines.append("@" + head)
        lines += specs
        for dt, code in ((torch.float64, "d"), (torch.float32, "f")):
            ts = [torch.tensor(c, dtype=torch.float64).to(dt) for c in cols]
            out = f(*ts).tolist()
            raw = struct.pack("<%d%s" % (len(out), code), *out)
            lines.append(("f64 " if code == "d" else "f32 ") + base64.b64encode(raw).decode())
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "special_golden.txt")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print(path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
