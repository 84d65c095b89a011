#!/usr/bin/env bash
# Builds the release wheel and checks it as a user gets it (run by `make wheel-check`, and by CI;
# `--build-only` just builds it, for `make wheel`):
#   - a manylinux platform tag: manylinux2014 (glibc >= 2.17), linked by zig against glibc 2.17's
#     symbol versions; with WHEEL_ZIG=0, linked by the host's linker instead (then the floor is the
#     build machine's glibc, e.g. manylinux_2_35 on Debian 12) -- see "Time" below;
#   - smaller than WHEEL_MAX_BYTES; auditwheel-clean: the extension needs only the system's C
#     runtime (libc, libm, libpthread, libdl, librt, libgcc_s, ld-linux);
#   - installed with pip, offline, into a fresh venv that has neither numpy nor Rust on PATH,
#     `python -m rtensor` (the tour) and scripts/wheel_smoke.py run there.
# Time: the zig build is a second full release build (cargo builds for an explicit
# --target, into target/x86_64-unknown-linux-gnu/, so nothing of `make build` is reused); the
# WHEEL_ZIG=0 build reuses `make build`'s compiled extension (pyproject's [tool.maturin] options
# are shared) and takes seconds.
# Needs: a Python >= 3.9 venv with maturin (`make` makes .venv); it pip-installs ziglang and
# auditwheel into that venv. The wheel is left in target/wheels/.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
WHEEL_ZIG=${WHEEL_ZIG:-1}
# Under 5 MB (issue 16): every op's loops compiled per dtype are what makes the extension big, so
# new kernels must keep the generic part to the loop itself (ARCHITECTURE.md, "Code size").
WHEEL_MAX_BYTES=${WHEEL_MAX_BYTES:-5000000}
WORK=target/wheel-check
OUT=target/wheels
BIN=$(cd "$(dirname "$PY")" && pwd)

"$PY" -m pip install -q "auditwheel>=6"
rm -rf "$WORK" "$OUT"
mkdir -p "$WORK" "$OUT"

# `--auditwheel check` fails the build if the .so needs a library outside the manylinux policy.
if [ "$WHEEL_ZIG" = 1 ]; then
    # zig links against glibc 2.17's symbol versions, so the wheel runs on any glibc >= 2.17.
    # maturin finds zig through `python -m ziglang`, so the venv's bin goes first on PATH.
    "$PY" -m pip install -q "ziglang>=0.11"
    PATH="$BIN:$PATH" "$BIN/maturin" build --release --zig --compatibility manylinux2014 \
        --auditwheel check --interpreter "$PY" --out "$OUT"
    want_tag="manylinux_2_17_x86_64"
else
    "$BIN/maturin" build --release --auditwheel check --interpreter "$PY" --out "$OUT"
    want_tag="manylinux"
fi

if [ "${1:-}" = "--build-only" ]; then
    exit 0
fi

shopt -s nullglob
wheels=("$OUT"/*.whl)
if [ "${#wheels[@]}" -ne 1 ]; then
    echo "check_wheel: expected one wheel in $OUT, found ${#wheels[@]}" >&2
    exit 1
fi
wheel=${wheels[0]}
name=$(basename "$wheel")
bytes=$(stat -c %s "$wheel")
echo "check_wheel: $name, $bytes bytes"

case "$name" in
    *"$want_tag"*) ;;
    *) echo "check_wheel: $name is not tagged $want_tag" >&2; exit 1 ;;
esac
if [ "$bytes" -ge "$WHEEL_MAX_BYTES" ]; then
    echo "check_wheel: $name is $bytes bytes, over the limit of $WHEEL_MAX_BYTES" >&2
    exit 1
fi

"$BIN/auditwheel" show "$wheel"

# The libraries the extension links, and the newest glibc symbol version it needs (read with
# pyelftools, which auditwheel brings, so binutils need not be installed).
"$PY" -m zipfile -e "$wheel" "$WORK/unpacked"
so=$(find "$WORK/unpacked" -name '_rtensor*.so')
"$PY" - "$so" <<'PYEOF'
import re
import sys

from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection

ALLOWED = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1",
           "libgcc_s.so.1", "ld-linux-x86-64.so.2"}
with open(sys.argv[1], "rb") as f:
    elf = ELFFile(f)
    needed = [t.needed for s in elf.iter_sections() if isinstance(s, DynamicSection)
              for t in s.iter_tags() if t.entry.d_tag == "DT_NEEDED"]
    versions = {a.name for s in elf.iter_sections() if isinstance(s, GNUVerNeedSection)
                for _, aux in s.iter_versions() for a in aux}
print("check_wheel: NEEDED:", " ".join(needed))
glibc = sorted((tuple(map(int, v[6:].split("."))) for v in versions if re.fullmatch(r"GLIBC_[0-9.]+", v)))
print("check_wheel: newest glibc symbol version needed: GLIBC_" + ".".join(map(str, glibc[-1])))
extra = [lib for lib in needed if lib not in ALLOWED]
if extra:
    sys.exit(f"check_wheel: the extension links {extra}, which are not part of the system C runtime")
PYEOF

# A fresh venv (no system site-packages, no numpy), the wheel installed offline: it must need
# nothing else. The tour and the smoke test run from outside the source tree, without cargo on PATH.
"$PY" -m venv --clear "$WORK/venv"
"$WORK/venv/bin/python" -m pip install -q --no-index "$wheel"
smoke=$(pwd)/scripts/wheel_smoke.py
(
    cd "$WORK"
    export PATH="$(pwd)/venv/bin:/usr/bin:/bin"
    unset PYTHONPATH VIRTUAL_ENV
    venv/bin/python -m rtensor > tour.txt
    grep -q "numpy is not installed, so this chapter is skipped" tour.txt
    venv/bin/python "$smoke"
)
echo "check_wheel: OK: $name ($bytes bytes) installs and runs in a fresh venv"
