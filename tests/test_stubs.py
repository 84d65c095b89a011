"""python/rtensor/_rtensor.pyi must stay in line with the compiled module `rtensor._rtensor`.

The stub is read with `ast` (no mypy, no torch) and compared with the built module:
  * the public module names (functions, classes, dtype constants) match both ways;
  * each class's members (methods, properties, dunders: everything in `cls.__dict__`) match both
    ways, and a property in the binary is a property/attribute in the stub, a method a method;
  * every function and method whose `__text_signature__` is known has the same parameters in the
    stub: names (except positional-only ones, whose names are not part of the API), kinds
    (positional-only / positional-or-keyword / *args / keyword-only / **kwargs), which ones
    have defaults, and the default values where the stub spells one out (not `...`).
"""

import ast
import inspect
import pathlib
import types

import pytest

import rtensor._rtensor as binary

STUB_PATH = pathlib.Path(__file__).resolve().parent.parent / "python" / "rtensor" / "_rtensor.pyi"

# Entries of a class __dict__ that are bookkeeping, not API.
CLASS_BOOKKEEPING = {"__doc__", "__module__", "__dict__", "__weakref__", "__text_signature__", "__qualname__"}

# Members the binary has but the stub deliberately leaves out, with the reason.
# pyo3's `eq` on dtype fills all six comparison slots; the ordering ones only return
# NotImplemented (so `a < b` raises TypeError), and declaring them would let type checkers
# accept such code.
NOT_IN_STUB = {
    "dtype": {"__lt__", "__le__", "__gt__", "__ge__"},
    "device": {"__lt__", "__le__", "__gt__", "__ge__"},
}

P = inspect.Parameter
KIND_NAMES = {
    P.POSITIONAL_ONLY: "positional-only",
    P.POSITIONAL_OR_KEYWORD: "positional-or-keyword",
    P.VAR_POSITIONAL: "*args",
    P.KEYWORD_ONLY: "keyword-only",
    P.VAR_KEYWORD: "**kwargs",
}


# ---- reading the stub ------------------------------------------------------------------------


def _decorator_names(node):
    names = set()
    for d in node.decorator_list:
        if isinstance(d, ast.Name):
            names.add(d.id)
        elif isinstance(d, ast.Attribute):
            names.add(d.attr)  # `typing.overload`, `x.setter`
    return names


class StubScope:
    """The names one scope (the module or a class body) of the stub defines."""

    def __init__(self, body):
        self.functions = {}  # name -> [FunctionDef, ...] (several for @overload)
        self.properties = set()
        self.attributes = {}  # name -> annotation node (None for a plain assignment)
        self.classes = {}  # name -> StubScope
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                decorators = _decorator_names(node)
                if "property" in decorators or "setter" in decorators or "deleter" in decorators:
                    self.properties.add(node.name)
                else:
                    self.functions.setdefault(node.name, []).append(node)
            elif isinstance(node, ast.ClassDef):
                self.classes[node.name] = StubScope(node.body)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                self.attributes[node.target.id] = node.annotation
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.attributes[target.id] = None
            # Imports are not re-exported by a stub (PEP 484), so they are not names it defines.

    def names(self):
        return set(self.functions) | self.properties | set(self.attributes) | set(self.classes)


@pytest.fixture(scope="module")
def stub():
    return StubScope(ast.parse(STUB_PATH.read_text(), filename=str(STUB_PATH)).body)


def _is_public(name):
    return not name.startswith("_")


def _binary_module_names():
    return {n for n in dir(binary) if _is_public(n)}


def _binary_classes():
    return {n: o for n, o in vars(binary).items() if _is_public(n) and isinstance(o, type)}


def _binary_members(cls):
    return {n: o for n, o in vars(cls).items() if n not in CLASS_BOOKKEEPING}


# ---- signatures ------------------------------------------------------------------------------


_NO_DEFAULT = object()
_ELLIPSIS_DEFAULT = object()  # `...` in a stub, or a default pyo3 could not render


def _stub_default(node):
    if node is None:
        return _NO_DEFAULT
    if isinstance(node, ast.Constant) and node.value is Ellipsis:
        return _ELLIPSIS_DEFAULT
    try:
        return ast.literal_eval(node)
    except ValueError:
        return _ELLIPSIS_DEFAULT  # an expression: compare presence only


def _stub_params(fn):
    """[(name, kind, default)] of a stub `def`, like inspect.signature gives them."""
    a = fn.args
    params = []
    positional = a.posonlyargs + a.args
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    for i, (arg, default) in enumerate(zip(positional, defaults)):
        kind = P.POSITIONAL_ONLY if i < len(a.posonlyargs) else P.POSITIONAL_OR_KEYWORD
        params.append((arg.arg, kind, _stub_default(default)))
    if a.vararg is not None:
        params.append((a.vararg.arg, P.VAR_POSITIONAL, _NO_DEFAULT))
    for arg, default in zip(a.kwonlyargs, a.kw_defaults):
        params.append((arg.arg, P.KEYWORD_ONLY, _stub_default(default)))
    if a.kwarg is not None:
        params.append((a.kwarg.arg, P.VAR_KEYWORD, _NO_DEFAULT))
    return params


def _binary_params(obj):
    """[(name, kind, default)] from the binary's __text_signature__, or None if it has none."""
    if getattr(obj, "__text_signature__", None) is None:
        return None
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    out = []
    for p in sig.parameters.values():
        if p.default is P.empty:
            default = _NO_DEFAULT
        elif p.default is Ellipsis:
            default = _ELLIPSIS_DEFAULT
        else:
            default = p.default
        out.append((p.name, p.kind, default))
    return out


def _describe(params):
    parts = []
    for name, kind, default in params:
        text = {P.VAR_POSITIONAL: "*" + name, P.VAR_KEYWORD: "**" + name}.get(kind, name)
        if kind == P.POSITIONAL_ONLY:
            text += "/"
        if default is _ELLIPSIS_DEFAULT:
            text += "=..."
        elif default is not _NO_DEFAULT:
            text += "=" + repr(default)
        parts.append(text)
    return "(" + ", ".join(parts) + ")"


def _signature_problems(where, stub_fns, bin_params, is_method):
    """Mismatches between the stub's overloads of one function and the binary's parameters."""
    problems = []
    if is_method:
        bin_params = bin_params[1:]  # `self`
    overloaded = len(stub_fns) > 1
    for fn in stub_fns:
        stub_params = _stub_params(fn)
        if is_method:
            if not stub_params:
                problems.append(f"{where}: stub method has no `self` parameter")
                continue
            stub_params = stub_params[1:]
        label = f"{where} (stub line {fn.lineno})"
        shown = f"binary {_describe(bin_params)}, stub {_describe(stub_params)}"
        if len(stub_params) != len(bin_params):
            names_b = [n for n, k, _ in bin_params if k != P.POSITIONAL_ONLY]
            names_s = [n for n, k, _ in stub_params if k != P.POSITIONAL_ONLY]
            missing = [n for n in names_b if n not in names_s]
            extra = [n for n in names_s if n not in names_b]
            problems.append(
                f"{label}: {len(bin_params)} parameters in the binary, {len(stub_params)} in the stub"
                f" (missing from stub: {missing}, not in binary: {extra}); {shown}"
            )
            continue
        for i, ((bn, bk, bd), (sn, sk, sd)) in enumerate(zip(bin_params, stub_params)):
            if bk != sk:
                problems.append(
                    f"{label}: parameter {i} {bn!r} is {KIND_NAMES[bk]} in the binary but"
                    f" {sn!r} is {KIND_NAMES[sk]} in the stub; {shown}"
                )
            elif bk != P.POSITIONAL_ONLY and bn != sn:
                problems.append(f"{label}: parameter {i} is named {bn!r} in the binary but {sn!r} in the stub; {shown}")
            elif overloaded:
                continue  # overloads legitimately narrow defaults (`dim: None = None` / `dim: int`)
            elif (bd is _NO_DEFAULT) != (sd is _NO_DEFAULT):
                if bd is _NO_DEFAULT:
                    problems.append(f"{label}: parameter {bn!r} is required in the binary but has a default in the stub; {shown}")
                else:
                    problems.append(f"{label}: parameter {bn!r} has a default in the binary but is required in the stub; {shown}")
            elif _ELLIPSIS_DEFAULT not in (bd, sd) and _NO_DEFAULT not in (bd, sd):
                if bd != sd or type(bd) is not type(sd):
                    problems.append(f"{label}: parameter {bn!r} defaults to {bd!r} in the binary but {sd!r} in the stub")
    return problems


def _report(problems):
    if problems:
        pytest.fail(f"{len(problems)} stub mismatch(es) in {STUB_PATH.name}:\n  " + "\n  ".join(problems))


# ---- tests -----------------------------------------------------------------------------------


def test_stub_parses():
    assert STUB_PATH.is_file(), f"missing stub file {STUB_PATH}"
    ast.parse(STUB_PATH.read_text(), filename=str(STUB_PATH))


def test_module_names_match(stub):
    bin_names = _binary_module_names()
    stub_names = {n for n in stub.names() if _is_public(n)}
    problems = [f"module name {n!r} is in the binary but not in the stub" for n in sorted(bin_names - stub_names)]
    problems += [f"module name {n!r} is in the stub but not in the binary" for n in sorted(stub_names - bin_names)]
    _report(problems)


def test_module_name_kinds_match(stub):
    problems = []
    for name in sorted(_binary_module_names() & stub.names()):
        obj = getattr(binary, name)
        if isinstance(obj, type):
            if name not in stub.classes:
                problems.append(f"module name {name!r} is a class in the binary but not a `class` in the stub")
        elif callable(obj):
            if name not in stub.functions:
                problems.append(f"module name {name!r} is a function in the binary but not a `def` in the stub")
        else:
            if name not in stub.attributes:
                problems.append(
                    f"module name {name!r} is a {type(obj).__name__} value in the binary"
                    " but not an annotated variable in the stub"
                )
                continue
            annotation = stub.attributes[name]
            if type(obj).__module__ in ("rtensor", binary.__name__) and annotation is not None:
                if ast.unparse(annotation) != type(obj).__name__:
                    problems.append(
                        f"module constant {name!r} is a {type(obj).__name__} in the binary"
                        f" but annotated {ast.unparse(annotation)!r} in the stub"
                    )
    _report(problems)


def test_classes_members_match(stub):
    problems = []
    for cls_name, cls in sorted(_binary_classes().items()):
        scope = stub.classes.get(cls_name)
        if scope is None:
            continue  # reported by test_module_names_match
        bin_members = set(_binary_members(cls))
        skipped = NOT_IN_STUB.get(cls_name, set())
        stub_members = scope.names()
        for n in sorted(bin_members - stub_members - skipped):
            problems.append(f"{cls_name}.{n} is in the binary but not in the stub")
        for n in sorted(stub_members - bin_members):
            problems.append(f"{cls_name}.{n} is in the stub but not in the binary")
        for n in sorted(skipped & stub_members):
            problems.append(f"{cls_name}.{n} is in the stub although NOT_IN_STUB leaves it out on purpose")
        for n in sorted(skipped - bin_members):
            problems.append(f"{cls_name}.{n} is listed in NOT_IN_STUB but the binary no longer has it")
    _report(problems)


def test_tensor_is_covered(stub):
    # Guard against the class checks silently doing nothing.
    assert "Tensor" in _binary_classes() and "Tensor" in stub.classes
    assert len(_binary_members(binary.Tensor)) > 50


def test_class_member_kinds_match(stub):
    problems = []
    for cls_name, cls in sorted(_binary_classes().items()):
        scope = stub.classes.get(cls_name)
        if scope is None:
            continue
        for name, obj in sorted(_binary_members(cls).items()):
            if name not in scope.names():
                continue
            where = f"{cls_name}.{name}"
            if isinstance(obj, (types.GetSetDescriptorType, types.MemberDescriptorType, property)):
                if name not in scope.properties and name not in scope.attributes:
                    problems.append(f"{where} is a property in the binary but a method in the stub")
            elif callable(obj) or isinstance(obj, (staticmethod, classmethod)):
                if name not in scope.functions:
                    problems.append(f"{where} is a method in the binary but not a `def` in the stub")
            elif name not in scope.attributes:
                problems.append(
                    f"{where} is a class attribute ({type(obj).__name__}) in the binary"
                    " but not an annotated attribute in the stub"
                )
    _report(problems)


def test_module_function_signatures_match(stub):
    problems = []
    checked = 0
    for name in sorted(_binary_module_names()):
        obj = getattr(binary, name)
        if isinstance(obj, type) or not callable(obj) or name not in stub.functions:
            continue
        bin_params = _binary_params(obj)
        if bin_params is None:
            continue
        checked += 1
        problems += _signature_problems(name, stub.functions[name], bin_params, is_method=False)
    assert checked > 10, "no module function signatures were compared"
    _report(problems)


def test_method_signatures_match(stub):
    problems = []
    checked = 0
    for cls_name, cls in sorted(_binary_classes().items()):
        scope = stub.classes.get(cls_name)
        if scope is None:
            continue
        for name, obj in sorted(_binary_members(cls).items()):
            if name not in scope.functions or isinstance(obj, (staticmethod, classmethod)):
                continue
            bin_params = _binary_params(obj)
            if bin_params is None:
                continue
            checked += 1
            problems += _signature_problems(f"{cls_name}.{name}", scope.functions[name], bin_params, is_method=True)
    assert checked > 50, "no method signatures were compared"
    _report(problems)


def test_checker_reports_a_drifted_signature():
    # The comparison itself must notice renamed, re-kinded and missing parameters.
    fn = ast.parse("def f(self, dim=None, *, alpha=None): ...").body[0]
    same = [("self", P.POSITIONAL_ONLY, _NO_DEFAULT), ("dim", P.POSITIONAL_OR_KEYWORD, None), ("alpha", P.KEYWORD_ONLY, None)]
    assert _signature_problems("f", [fn], same, is_method=True) == []
    renamed = [same[0], ("axis", P.POSITIONAL_OR_KEYWORD, None), same[2]]
    assert "named 'axis'" in _signature_problems("f", [fn], renamed, is_method=True)[0]
    rekinded = [same[0], same[1], ("alpha", P.POSITIONAL_OR_KEYWORD, None)]
    assert "keyword-only in the stub" in _signature_problems("f", [fn], rekinded, is_method=True)[0]
    longer = same + [("out", P.KEYWORD_ONLY, None)]
    assert "missing from stub: ['out']" in _signature_problems("f", [fn], longer, is_method=True)[0]
    no_default = [same[0], ("dim", P.POSITIONAL_OR_KEYWORD, _NO_DEFAULT), same[2]]
    assert "'dim' is required in the binary" in _signature_problems("f", [fn], no_default, is_method=True)[0]


def test_registry_stubs_are_up_to_date():
    """The registry's stub lines (module functions, Tensor methods, rtensor.special) are printed
    from the op declarations: `python -m rtensor._stubgen` must have been run after a change."""
    from rtensor import _stubgen

    stale = [p.name for p, text in _stubgen.expected().items() if not p.exists() or p.read_text() != text]
    assert not stale, f"out of date: {stale}; run `python -m rtensor._stubgen`"
