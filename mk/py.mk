# Python: venv, wheel, pytest. Owned by the Python binding work.
#
#   make py-install   build the wheel of cape-py (debug profile) and install it into $(VENV)
#   make py-test      run tests/python against the installed wheel, then build the wheel and the sdist and run
#                     the suite again against each, installed into a fresh venv (target/py-venvs/{wheel,sdist}),
#                     then install the wheel with each optional extra into a fresh venv (py-test-extras)
.PHONY: py-install py-test py-test-dev py-test-dist py-test-extras

PY_REQUIREMENTS := cape-py/requirements-dev.txt
PY_WHEELS := $(CURDIR)/target/wheels
# Set to --release for an optimised wheel.
PY_PROFILE ?=

$(VPY):
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r $(PY_REQUIREMENTS)
	touch $(VENV)/.dev-requirements

# Re-install the pinned tools when the pins change.
$(VENV)/.dev-requirements: $(PY_REQUIREMENTS) cape-py/requirements-test.txt | $(VPY)
	$(VPY) -m pip install --quiet -r $(PY_REQUIREMENTS)
	touch $@

py-install: $(VENV)/.dev-requirements
	rm -f $(PY_WHEELS)/cape-*.whl
	$(VENV)/bin/maturin build --quiet $(PY_PROFILE) --manifest-path cape-py/Cargo.toml \
		--interpreter $(VPY) -o $(PY_WHEELS)
	$(VPY) -m pip install --quiet --force-reinstall --no-deps $(PY_WHEELS)/cape-*.whl

# From tests/python (its pytest.ini; no source tree on sys.path), so `import cape` is the installed wheel.
# CAPE_C_JSONL: the C side of the cross-language test, built by c-test (which `make test` runs first).
PY_CROSS := CAPE_C_JSONL=$(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/debug/c-test/cape_jsonl
py-test-dev: py-install
	cd tests/python && $(PY_CROSS) $(VENV)/bin/pytest -q

PY_DIST := $(CURDIR)/target/py-dist
PY_VENVS := $(CURDIR)/target/py-venvs
PY_TEST_REQUIREMENTS := cape-py/requirements-test.txt

# The distributions as published: an abi3 wheel (release) and the sdist. Each is installed with pip into a new
# venv (with only the test requirements besides), and the suite runs against that installation. The sdist build
# compiles cape-core from the sdist's own copy of the sources (dev profile) in a fresh target dir: the sdist's
# files carry fixed mtimes, so a reused target dir would look up to date and install a stale library;
# --no-cache-dir: pip would otherwise reuse a wheel it built from an earlier sdist of the same name and version.
py-test-dist: $(VENV)/.dev-requirements
	rm -rf $(PY_DIST) $(PY_VENVS)
	$(VENV)/bin/maturin build --quiet --release --manifest-path cape-py/Cargo.toml --interpreter $(VPY) -o $(PY_DIST)
	$(VENV)/bin/maturin sdist --manifest-path cape-py/Cargo.toml -o $(PY_DIST)
	for kind in wheel sdist; do \
		$(PYTHON) -m venv $(PY_VENVS)/$$kind && \
		$(PY_VENVS)/$$kind/bin/python -m pip install --quiet -r $(PY_TEST_REQUIREMENTS) maturin==1.16.0 || exit 1; \
	done
	$(PY_VENVS)/wheel/bin/python -m pip install --quiet --no-deps $(PY_DIST)/cape-*.whl
	rm -rf $(CURDIR)/target/sdist-build
	CARGO_TARGET_DIR=$(CURDIR)/target/sdist-build MATURIN_PEP517_ARGS="--profile dev" \
		$(PY_VENVS)/sdist/bin/python -m pip install --quiet --no-cache-dir --no-deps --no-build-isolation $(PY_DIST)/cape-*.tar.gz
	for kind in wheel sdist; do \
		echo "== tests/python against the installed $$kind"; \
		(cd tests/python && $(PY_CROSS) $(PY_VENVS)/$$kind/bin/python -m pytest -q -p no:randomly) || exit 1; \
	done
	@ls -l $(PY_DIST)

# The optional extras as a user installs them: for each, a fresh venv, the wheel installed with that extra alone
# (`pip install "<wheel>[polars]"`, pip resolving the extra's lower bounds from the index), and a smoke script
# proving the extra's path works there (tests/python/extras_smoke.py: import, one to_<x>() call, exact money).
PY_EXTRAS := pandas arrow polars dask
PY_EXTRAS_VENVS := $(CURDIR)/target/py-extras
py-test-extras: py-install
	rm -rf $(PY_EXTRAS_VENVS)
	for extra in $(PY_EXTRAS); do \
		echo "== cape[$$extra] in a fresh venv"; \
		$(PYTHON) -m venv $(PY_EXTRAS_VENVS)/$$extra || exit 1; \
		$(PY_EXTRAS_VENVS)/$$extra/bin/python -m pip install --quiet "$$(ls $(PY_WHEELS)/cape-*.whl)[$$extra]" || exit 1; \
		$(PY_EXTRAS_VENVS)/$$extra/bin/python tests/python/extras_smoke.py $$extra || exit 1; \
	done

py-test: py-test-dev py-test-dist py-test-extras
