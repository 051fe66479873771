# The two commands of the README: `make demo` and `make test`. Both do all set-up.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# One cargo target dir and Go build cache for every fixture, shared by tests, demo and bench.
export CARGO_TARGET_DIR ?= $(CURDIR)/.cache/cargo-target
export GOCACHE ?= $(CURDIR)/.cache/go-build
export GOFLAGS ?= -mod=mod

.PHONY: all setup demo test test-fast soak lint bench fuzz toolchains clean

all: test

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	@# pip's and setuptools' chatter goes to a log, shown only when the install fails.
	@echo "installing rust2go and its test dependencies into $(VENV) (log: $(VENV)/install.log)"
	@$(PY) -m pip install -q --upgrade pip setuptools wheel > $(VENV)/install.log 2>&1 \
		|| (cat $(VENV)/install.log; exit 1)
	@$(PY) -m pip install -q -e '.[test]' >> $(VENV)/install.log 2>&1 \
		|| (cat $(VENV)/install.log; exit 1)
	touch $(STAMP)

setup: $(STAMP)

# CI must fail, never skip, when a toolchain the tests need is missing.
toolchains:
	@bash .ci/check-toolchains

demo: setup toolchains
	$(VENV)/bin/rust2go check examples/basic/idl/user.rs
	$(PY) -m rust2go.demo
	$(PY) -m rust2go.demo_shm
	$(PY) -m rust2go.demo_g2r

test: setup toolchains
	$(PY) -m pytest -q -p no:cacheprovider tests

# The tier to run while editing: front end, emitters (gofmt/rustfmt, no compiler), the
# watcher and the Python shared-memory peer. No Go or Rust build; `make test` runs all.
FAST_TESTS := tests/frontend tests/emit tests/daemon tests/shm
test-fast: setup toolchains
	$(PY) -m pytest -q -p no:cacheprovider $(FAST_TESTS)

# Many more random IDLs through generate + go vet + go build + clippy than `make test` runs.
R2G_SOAK_EXAMPLES ?= 200
soak: setup toolchains
	R2G_SOAK_EXAMPLES=$(R2G_SOAK_EXAMPLES) $(PY) -m pytest -q -s -p no:cacheprovider tests/e2e/test_generative.py

LINTED = rust2go codegen daemon loadtest runtime shm migrate tests bench

lint: setup
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)

# The front-end fuzzer without a bound: until Ctrl-C, or R2G_FUZZ_SECONDS. Failing inputs
# land in tests/frontend/fuzz_regressions/, which `make test` replays.
fuzz: setup
	$(PY) -m tests.frontend.fuzz

bench: setup toolchains
	$(PY) -m bench.run_all

clean:
	rm -rf $(VENV) .cache build *.egg-info
