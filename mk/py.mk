# Python: venv, wheel, pytest. Owned by the Python binding work.
#
#   make py-install   build the wheel of cape-py (debug profile) and install it into $(VENV)
#   make py-test      run tests/python with pytest against the installed wheel
.PHONY: py-install py-test

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
$(VENV)/.dev-requirements: $(PY_REQUIREMENTS) | $(VPY)
	$(VPY) -m pip install --quiet -r $(PY_REQUIREMENTS)
	touch $@

py-install: $(VENV)/.dev-requirements
	rm -f $(PY_WHEELS)/cape-*.whl
	$(VENV)/bin/maturin build --quiet $(PY_PROFILE) --manifest-path cape-py/Cargo.toml \
		--interpreter $(VPY) -o $(PY_WHEELS)
	$(VPY) -m pip install --quiet --force-reinstall --no-deps $(PY_WHEELS)/cape-*.whl

# From tests/python (its pytest.ini; no source tree on sys.path), so `import cape` is the installed wheel.
py-test: py-install
	cd tests/python && $(VENV)/bin/pytest -q
