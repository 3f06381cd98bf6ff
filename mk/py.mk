# Python: venv, wheel, pytest. Owned by the Python binding work.
.PHONY: py-install py-test
$(VPY):
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r cape-py/requirements-dev.txt

py-install: $(VPY)
	@echo "TODO"

py-test: py-install
	@echo "TODO"
