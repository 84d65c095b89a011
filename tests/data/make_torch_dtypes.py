"""Writes tests/data/torch_dtypes.json, the golden table of torch's behaviour for the unary and binary
pointwise/comparison ops that tests/test_pointwise.py checks rtensor against without torch.

Generated ONCE from the oracle (/work/oracle/torch_ops.json, probed from torch 2.15 by
/work/oracle/gen_oracle.py); the call arguments of each variant ("alpha=2", "decimals=1", ...) are read from
gen_oracle.py's op table (its S(...) declarations, by ast, without importing torch). Neither file is needed
to run the tests. Re-run only when the oracle changes:

    python tests/data/make_torch_dtypes.py [/work/oracle]

Layout (results: a dtype name like "float32", a list of them for tuple results, "py:bool" for a Python
result, or an integer: an index into "errors", a [type, message] list):

    meta:   the oracle's inputs: "unary" / "a" / "b" values per kind (bool/int/float), zero-dim tensors
            use the first value; "scalars" (label, value) used for scalar_dtypes; the special-value
            inputs and grids; the gradient inputs.
    ops:    name -> {"kind": "unary"|"binary", "aliases": [...], "forms": {function, method, inplace, out},
            "alias_forms": alias -> {function, method, inplace} (which forms torch has under the alias),
            "variants": label -> {
              "call": {"pre": [...], "post": [...], "kw": {...}}    extra arguments around the inputs
              "dtypes":   "bool" / "bool,int32" -> result          function form (the method when no function)
              "method":   same keys, only where the method differs from the function
              "inplace":  same keys (+ "int32,py_float" for Python scalars); result of x.<op>_(...)
              "out":      "int32->float32" / "int32,int32->float32" -> result of out=empty(2, dtype)
              "scalar":   "tensor(int32),float" / "float,tensor(int32)" / "method tensor(int32).add(float)"
              "zerodim":  "int32[1d],float64[0d]" -> result
              "grad":     case -> {"fn": grad_fn type name or None, "rg": output requires_grad,
                                   "fwd": error, "bwd": error, "grads": [[floats as strings] | null | "n/a"]}
                          gradient of sum(output) for the case's float64 inputs (meta.grad_inputs):
                          a list per input (numbers; "nan"/"inf" as strings), null (None), "n/a" (input
                          does not require grad) or "zero" (an all-zero ZeroTensor)
              "special":  unary: {"float32": [...], "float64": [...]} on meta.special_inputs;
                          binary: {"float32": 9x9 grid on meta.binary_float_grid}   (strings; or error)
              "int64":    unary: values on meta.unary_int_values; binary: 7x7 grid on meta.binary_int_grid
                          (a grid cell is a value or {"e": error index})
            }}
"""
import ast
import json
import os
import struct
import sys

ORACLE = sys.argv[1] if len(sys.argv) > 1 else "/work/oracle"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_dtypes.json")

ERRORS = []
ERROR_INDEX = {}


def err_index(e):
    key = (e["error"], e["msg"])
    if key not in ERROR_INDEX:
        ERROR_INDEX[key] = len(ERRORS)
        ERRORS.append(list(key))
    return ERROR_INDEX[key]


def result(r):
    """An oracle probe result -> compact form."""
    if isinstance(r, dict) and "result" in r:  # with warnings
        r = r["result"]
    if isinstance(r, dict) and "error" in r:
        return err_index(r)
    if isinstance(r, dict) and "dtype" in r:  # mode=value
        return r["dtype"]
    return r


def short32(v):
    """The shortest decimal string that reads back as the same float32 as the oracle's string v."""
    if not isinstance(v, str) or v in ("nan", "inf", "-inf"):
        return v
    bits = struct.pack("<f", float(v))
    for p in range(1, 10):
        s = "%.*g" % (p, float(v))
        try:
            if struct.pack("<f", float(s)) == bits:
                return s
        except OverflowError:  # rounded past float32's largest value
            continue
    return v


def value(r):
    """An oracle probe result in value mode -> list of values (as the oracle's strings) or an error index."""
    if isinstance(r, dict) and "result" in r:
        r = r["result"]
    if isinstance(r, dict) and "error" in r:
        return err_index(r)
    if isinstance(r, dict) and "value" in r:
        vals = r["value"]
        if r["dtype"] == "float32":
            vals = [short32(x) for x in vals]
        return {"dtype": r["dtype"], "value": vals}
    return r


CODES = {"bool": "b", "int32": "i", "int64": "l", "float32": "f", "float64": "d"}
DT = ["bool", "int32", "int64", "float32", "float64"]
OUT_DTS = ["bool", "int64", "float32", "float64"]
SCALARS = ["bool", "int", "float", "int_big"]
# The keys of each table, in the order its list stores them (see KEYS in the JSON's meta).
KEYS = {
    "unary": {
        "dtypes": DT,
        "inplace": DT,
        "out": [f"{d}->{o}" for d in DT for o in OUT_DTS],
    },
    "binary": {
        "dtypes": [f"{a},{b}" for a in DT for b in DT],
        "inplace": [f"{a},{b}" for a in DT for b in DT] + [f"{d},py_{s}" for d in DT for s in SCALARS[:3]],
        "out": [f"{d},{d}->{o}" for d in DT for o in OUT_DTS],
        "scalar": [k for d in DT for s in SCALARS for k in (f"tensor({d}),{s}", f"{s},tensor({d})", f"method tensor({d}).{{op}}({s})")],
        "zerodim": [k for a in DT for b in DT for k in (f"{a}[1d],{b}[0d]", f"{a}[0d],{b}[1d]")],
    },
}


def code(r):
    """A compact result: dtype letters ("f"; "fi" for a (float32, int32) tuple), "P" for a Python bool, or an
    error index."""
    r = result(r)
    if isinstance(r, int):
        return r
    if isinstance(r, list):
        return "".join(CODES[x] for x in r)
    if r == "py:bool":
        return "P"
    return CODES[r]


def table(d, kind, name, op):
    keys = KEYS[kind][name]
    extra = set(d) - {k.replace("{op}", op) for k in keys} - {"scalar,scalar (2,3)"}
    if extra:
        raise SystemExit(f"unexpected keys in {name}: {sorted(extra)[:5]}")
    return [code(d[k.replace("{op}", op)]) if k.replace("{op}", op) in d else None for k in keys]


def grid(rows):
    """Grid cells: values as the oracle gives them, errors as {"e": index}."""
    out = []
    for row in rows:
        out.append([{"e": err_index(c)} if isinstance(c, dict) and "error" in c else c for c in row])
    return out


def num(x):
    """Oracle float strings -> JSON numbers (non-finite values stay strings: "nan", "inf", "-inf")."""
    if isinstance(x, list):
        return [num(v) for v in x]
    if isinstance(x, str) and x not in ("nan", "inf", "-inf", "n/a"):
        return float(x)
    return x


def grads(g):
    out = {}
    for case, info in g.items():
        e = {}
        if "forward_error" in info:
            e["fwd"] = err_index(info["forward_error"])
        else:
            first = info["outputs"][0]
            e["fn"] = (first.get("grad_fn") or {}).get("type")
            e["rg"] = first.get("requires_grad", False)
            if "backward_error" in info:
                e["bwd"] = err_index(info["backward_error"])
            if "input_grads" in info:
                e["grads"] = [num(x) if isinstance(x, (list, str)) or x is None else "zero" for x in info["input_grads"]]
        out[case] = e
    return out


def call_specs(path):
    """{oracle op key: {variant label: {"pre", "post", "kw"}}, grad inputs} from gen_oracle.py's S(...) table."""
    tree = ast.parse(open(path).read())
    specs, extras = {}, {}
    lists = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id in ("POINTWISE", "COMPARISON", "SPECIAL"):
            lists[node.targets[0].id] = node.value.elts
    for lname, elts in lists.items():
        for call in elts:
            if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "S"):
                continue
            name = ast.literal_eval(call.args[0])
            key = ("special." + name) if lname == "SPECIAL" else name
            kws = {k.arg: k.value for k in call.keywords}
            variants = ast.literal_eval(kws["variants"]) if "variants" in kws else {"default": {}}
            specs[key] = {label: {"pre": list(v.get("pre", ())), "post": list(v.get("post", ())), "kw": v.get("kw", {})}
                          for label, v in variants.items()}
            ex = {}
            for k in ("grad_x", "grad_ab"):
                if k in kws:
                    ex[k] = ast.literal_eval(kws[k])
            extras[key] = ex
    return specs, extras


def main():
    oracle = json.load(open(os.path.join(ORACLE, "torch_ops.json")))
    specs, extras = call_specs(os.path.join(ORACLE, "gen_oracle.py"))
    meta = oracle["__meta__"]
    out = {
        "meta": {
            "source": "torch " + meta["torch_version"] + " via /work/oracle/torch_ops.json (tests/data/make_torch_dtypes.py)",
            "dtypes": meta["dtypes"],
            "unary": meta["unary_inputs"], "a": meta["binary_a"], "b": meta["binary_b"],
            "scalars": [[label, float(v) if label == "float" else v] for label, v in meta["scalars"]],
            "out_dtypes": ["bool", "int64", "float32", "float64"], "out_shape": [2],
            "special_inputs": meta["special_values_input"],
            "binary_float_grid": meta["binary_float_grid"], "binary_int_grid": meta["binary_int_grid"],
            "unary_int_values": None,
            "grad_inputs": {"unary": [0.25, 0.75], "a": [0.7, -1.3, 2.2], "b": [1.5, 0.4, -0.8],
                            "note": "unary ops: one float64 input; binary: a, b (float64); 'scalar 2.0' / "
                                    "'scalar 2' replace b (or a for the '(function)' case); '0-dim tensor' is "
                                    "b[0]; per-op overrides in grad_x / grad_ab"},
        },
        "keys": KEYS,
        "codes": {v: k for k, v in CODES.items()},
        "errors": ERRORS,
        "ops": {},
    }
    for key, e in oracle.items():
        if key.startswith("__") or not isinstance(e, dict) or e.get("kind") not in ("unary", "binary"):
            continue
        if key not in specs:
            raise SystemExit(f"no call spec for {key}")
        op = {"kind": e["kind"], "aliases": e.get("aliases", []),
              "forms": {"function": bool(e.get("function")), "method": bool(e.get("method")),
                        "inplace": bool(e.get("inplace")), "out": bool(e.get("out"))},
              "variants": {}}
        alias_forms = {a: {"function": x["torch"], "method": x["Tensor"], "inplace": x["Tensor_inplace"]}
                       for a, x in e.get("alias_existence", {}).items()}
        if alias_forms:
            op["alias_forms"] = alias_forms
        op.update(extras.get(key, {}))
        for label, dt in e["dtypes"].items():
            if label not in specs[key]:
                raise SystemExit(f"{key}: variant {label!r} not in gen_oracle.py")
            kind, short = e["kind"], key.split(".")[-1]
            v = {"call": specs[key][label], "dtypes": table(dt, kind, "dtypes", short)}
            mvf = e.get("method_vs_function", {}).get(label)
            if isinstance(mvf, dict):
                v["method"] = table(mvf, kind, "dtypes", short)
            for src, dst in (("inplace_dtypes", "inplace"), ("out_dtypes", "out"), ("scalar_dtypes", "scalar"),
                             ("zerodim_dtypes", "zerodim")):
                if label in e.get(src, {}) and e[src][label]:
                    v[dst] = table(e[src][label], kind, dst, short)
            if label in e.get("grad", {}):
                v["grad"] = grads(e["grad"][label])
            sv = e.get("special_values", {}).get(label)
            if sv is not None:
                if e["kind"] == "unary":
                    v["special"] = {"float32": value(sv["float32"]), "float64": value(sv["float64"])}
                elif "float32" in sv and isinstance(sv["float32"], list):
                    rows = sv["float32"]
                    if sv.get("dtype") == "float32":
                        rows = [[short32(x) for x in row] for row in rows]
                    v["special"] = {"float32": rows, "dtype": sv.get("dtype")}
                elif "float32_elementwise" in sv:
                    v["special"] = {"float32_elementwise": grid(sv["float32_elementwise"])}
            if e["kind"] == "unary" and label in e.get("int64_values", {}):
                iv = e["int64_values"][label]
                out["meta"]["unary_int_values"] = iv["input"]
                v["int64"] = value(iv["out"])
            elif e["kind"] == "binary" and label in e.get("int64_grid", {}):
                v["int64"] = grid(e["int64_grid"][label]["out"])
            op["variants"][label] = v
        out["ops"][key] = op
    text = json.dumps(out, separators=(",", ":"), sort_keys=False)
    with open(OUT, "w") as f:
        f.write(text)
        f.write("\n")
    print(f"{OUT}: {len(out['ops'])} ops, {len(ERRORS)} distinct errors, {len(text) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
