# C: libcape, the header check, the C tests. Owned by the C binding work.
.PHONY: header header-check c-test
header:
	@echo "TODO"
header-check:
	@echo "TODO"
c-test:
	@echo "TODO"
