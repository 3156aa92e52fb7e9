# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install browser clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/duban migrate --noinput
	$(BIN)/duban load_directory
	$(BIN)/duban import duban/data/xishan_2021_plan.txt --if-new
	$(BIN)/duban demo_users
	$(BIN)/duban runserver 127.0.0.1:8000

# Debian's Chromium and a CJK font for the browser tests (installed once, if missing).
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list :lang=zh | grep -q . || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk)

test: $(STAMP) browser
	$(BIN)/python -m pytest
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/duban $(BIN)/python -m pytest -m "not pure"

clean:
	rm -rf $(VENV) *.egg-info
