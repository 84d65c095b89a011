# Set-up and everyday commands. `make demo` and `make test` work on a fresh machine with
# Python >= 3.9, a Rust toolchain and make: they create .venv and build the extension first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MATURIN := $(VENV)/bin/maturin

.PHONY: build demo lint test test-slow test-valgrind bench clean

$(VENV)/.deps-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "maturin>=1.5,<2" pytest pytest-benchmark numpy hypothesis
	touch $@

# Builds the extension in release mode and installs it (editable) into .venv.
build: $(VENV)/.deps-installed
	VIRTUAL_ENV=$(abspath $(VENV)) $(MATURIN) develop --release --quiet

# The tour: what rtensor does, printed like a REPL session.
demo: build
	$(PY) -m rtensor

# Clippy (warnings are errors; every `unsafe` block needs its `// SAFETY:` comment) and rustfmt.
# benches/ is left out (`--lib --tests`). A stock rustup toolchain may lack the two components:
# they are added first when rustup is there.
lint:
	if command -v rustup >/dev/null 2>&1; then rustup component add clippy rustfmt; fi
	cargo clippy --lib --tests -- -D warnings
	cargo clippy --lib --features python -- -D warnings
	cargo fmt --check

# The Rust core's tests, the whole Python suite (slow tests excluded), then every benchmark
# workload once as a plain test (timing disabled), so that the benchmark suite cannot rot.
test: build
	cargo test --quiet
	$(PY) -m pytest tests -q
	$(PY) -m pytest benches -q --benchmark-disable

# The long fuzz/leak/sweep runs, then the property and random-gradcheck suites with many more examples.
test-slow: build
	$(PY) -m pytest tests -q -m slow
	RTENSOR_HYPOTHESIS_EXAMPLES=500 $(PY) -m pytest tests/test_properties.py -q -m "slow or not slow"
	RTENSOR_HYPOTHESIS_EXAMPLES=100 $(PY) -m pytest tests/test_gradcheck_random.py -q -m "slow or not slow"

# The Rust core's tests under valgrind's memcheck: invalid reads/writes, uninitialised values and
# definite leaks fail the run (Miri and AddressSanitizer need a nightly toolchain, which this
# project does not assume).
test-valgrind:
	cargo test --no-run --quiet
	bin=$$(cargo test --no-run 2>&1 | sed -n 's/.*Executable unittests src\/lib.rs (\(.*\))/\1/p'); \
	test -n "$$bin" && valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite "$$bin" --test-threads=2

# The pytest-benchmark suite (rtensor, numpy and torch when installed, grouped per workload; each
# run saved under .benchmarks/ for `pytest benches --benchmark-compare`), then the core's kernels
# without Python. `benches/compare.py` prints the same workloads as the README's table.
bench: build
	$(PY) -m pytest benches -q --benchmark-group-by=group --benchmark-autosave
	cargo bench --bench kernels

clean:
	rm -rf $(VENV) target
