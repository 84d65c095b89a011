"""The layering of the Rust core (ARCHITECTURE.md, section 1), checked on the source tree.

Reads every `crate::...` and `super::...` path in src/ (test modules left out) and resolves it to the
file that defines the module, then checks who may import whom:

- the data model (the files directly under src/) imports neither kernels, ops, autograd nor python;
- kernels/ imports neither ops, autograd nor python: kernels know nothing of autograd;
- autograd/ imports neither ops nor python: gradient rules call the op layer through `Tensor`
  methods, and the op layer names the rule it records;
- nothing outside python/ imports python;
- no two files import each other, directly or through others.
"""
import collections
import pathlib
import re

import pytest

SRC = pathlib.Path(__file__).resolve().parent.parent / "src"

pytestmark = pytest.mark.skipif(not SRC.is_dir(), reason="needs the source tree")


def module_of(path):
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] in ("mod", "lib"):
        parts = parts[:-1]
    return tuple(parts)


def import_graph():
    files = {module_of(p): p for p in SRC.rglob("*.rs")}

    def resolve(parts):
        for k in range(len(parts), 0, -1):
            if tuple(parts[:k]) in files:
                return tuple(parts[:k])
        return None

    graph = collections.defaultdict(set)
    for module, path in files.items():
        text = path.read_text()
        text = re.sub(r"#\[cfg\(test\)\]\s*mod tests\s*\{.*", "", text, flags=re.S)
        is_mod = path.name in ("mod.rs", "lib.rs")
        parent = list(module) if is_mod else list(module[:-1])
        paths = [m.group(1).split("::") for m in re.finditer(r"crate::((?:\w+::)*\w+)", text)]
        for group in re.finditer(r"crate::\{([^;]*)\}", text):
            paths += [p.split("::") for p in re.findall(r"\w+(?:::\w+)*", group.group(1))]
        paths += [parent[:-1] + m.group(1).split("::")
                  for m in re.finditer(r"(?<![\w:])super::((?:\w+::)*\w+)", text)]
        for p in paths:
            target = resolve(p)
            if target is not None and target != module:
                graph[module].add(target)
    return files, graph


FILES, GRAPH = import_graph()


def layer(module):
    return module[0] if len(module) > 1 or (module and module[0] in ("kernels", "ops", "autograd", "python",
                                                                      "threads")) else "model"


FORBIDDEN = {
    "model": {"kernels", "ops", "autograd", "python"},
    "kernels": {"ops", "autograd", "python"},
    "autograd": {"ops", "python"},
    "ops": {"python"},
    "threads": {"kernels", "ops", "autograd", "python"},
}


def test_the_graph_is_read():
    # A parser that sees nothing would pass every check below.
    assert len(FILES) > 50
    assert ("ops", "pointwise") in GRAPH and ("autograd", "record") in GRAPH[("ops", "pointwise")]


@pytest.mark.parametrize("lower", sorted(FORBIDDEN))
def test_lower_layers_do_not_import_upper_ones(lower):
    bad = sorted("/".join(a) + " -> " + "/".join(b)
                 for a in GRAPH if layer(a) == lower for b in GRAPH[a] if layer(b) in FORBIDDEN[lower])
    assert not bad, bad


def test_no_import_cycles():
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append("/".join(w))
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in list(FILES):
        if v not in index:
            visit(v)
    assert not cycles, cycles
