"""Writes the op registry's part of the stubs: the module functions and Tensor methods in
``_rtensor.pyi`` (between its ``registry:`` markers) and the whole ``special.pyi``.

    python -m rtensor._stubgen          # rewrite the stubs from the built extension
    python -m rtensor._stubgen --check  # exit 1 when they are out of date (the test does this)

Every op is declared once, in the Rust core; its stub lines are printed from that declaration.
"""

import keyword
import pathlib
import sys

from rtensor import _rtensor

HERE = pathlib.Path(__file__).resolve().parent
STUB = HERE / "_rtensor.pyi"
SPECIAL = HERE / "special.pyi"
RETURNS = {"Tensor": "Tensor", "bool": "_bool", "int": "_int", "float": "_float"}


def _annotation(p):
    types = []
    for t in p["types"]:
        for part in t.split(" | "):
            if part not in types:
                types.append(part)
    if p["optional"] or p["default"] == "None":
        types.append("None")
    return " | ".join(types)


def _def(name, params, returns, method, indent=""):
    parts = ["self"] if method else []
    star = False
    for p in params:
        if p.get("varargs"):
            parts.append(f"*{p['name']}: {_annotation(p)}")
            star = True
            continue
        if p["kw_only"] and not star:
            parts.append("*")
            star = True
        # A Python keyword (`random_`'s `from`) cannot be a stub parameter: torch's stubs write `from_`.
        pname = p["name"] + "_" if keyword.iskeyword(p["name"]) else p["name"]
        text = f"{pname}: {_annotation(p)}"
        if p["default"] is not None:
            text += f" = {p['default']}"
        parts.append(text)
    ret = RETURNS.get(returns, returns)
    return f"{indent}def {name}({', '.join(parts)}) -> {ret}: ..."


def _function_params(op):
    params = list(op["function_params"])
    if op["out"] and not any(p["name"] == "out" for p in params):
        params.append({"name": "out", "types": ["Tensor"], "optional": True, "default": "None",
                       "kw_only": True})
    return params


def render():
    """(module function lines, Tensor method lines, {namespace: function lines})."""
    module, methods, namespaces = {}, {}, {}
    for op in _rtensor._registry():
        ns, _, short = op["name"].rpartition(".")
        names = [(ns, short)] + [tuple(a.rpartition(".")[::2]) for a in op["aliases"]]
        if op["function"]:
            for space, name in names:
                line = _def(name, _function_params(op), op["returns"], False)
                (namespaces.setdefault(space, {}) if space else module)[name] = line
        for space, name in names:
            if space:
                continue
            if op["method"]:
                methods[name] = _def(name, op["method_params"], op["returns"], True, "    ")
            if op["inplace"]:
                methods[name + "_"] = _def(name + "_", op["method_params"], "Tensor", True, "    ")
    order = lambda d: [d[k] for k in sorted(d)]  # noqa: E731
    return order(module), order(methods), {k: order(v) for k, v in namespaces.items()}


def _splice(text, marker, lines, indent=""):
    begin = f"{indent}# registry: begin {marker}\n"
    end = f"{indent}# registry: end {marker}\n"
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    return head + begin + "".join(line + "\n" for line in lines) + end + tail


def expected():
    """{path: text} of the stubs as the registry gives them."""
    module, methods, namespaces = render()
    text = STUB.read_text()
    text = _splice(text, "module functions", module)
    text = _splice(text, "Tensor methods", methods, "    ")
    special = (
        '"""Stubs of ``rtensor.special``, printed from the op registry by '
        '``python -m rtensor._stubgen``."""\n\n'
        "from rtensor._rtensor import Tensor, _Number, _bool, _float, _int\n\n"
        + "".join(line + "\n" for line in namespaces.get("special", []))
    )
    return {STUB: text, SPECIAL: special}


def main(argv):
    stale = [p for p, t in expected().items() if not p.exists() or p.read_text() != t]
    if "--check" in argv:
        for p in stale:
            print(f"{p.name} is out of date: run `python -m rtensor._stubgen`")
        return 1 if stale else 0
    for p, t in expected().items():
        p.write_text(t)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
