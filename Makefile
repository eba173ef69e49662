.PHONY: run test bench lint
run:
	python3 scripts/archive.py run
test:
	python3 scripts/archive.py test
bench:
	python3 scripts/archive.py bench
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
