# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install system clean openapi

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Without DEBUG, Duban refuses to start without SECRET_KEY: `make run` makes a random one once, kept in
# data/secret_key (readable only by you), and serves plain http://127.0.0.1:8000, so DUBAN_HTTPS=0.
KEY_FILE := data/secret_key
$(KEY_FILE):
	mkdir -p $(dir $@)
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# With DUBAN_TODAY (the demo clock, e.g. `DUBAN_TODAY=2021-09-30 make run`) this local server is a demo instance
# (DUBAN_DEMO=1), and the demo year is replayed up to that day (duban replay_demo: safe to run again).
run: $(STAMP) $(KEY_FILE)
	export SECRET_KEY="$${SECRET_KEY:-$$(cat $(KEY_FILE))}" DUBAN_HTTPS="$${DUBAN_HTTPS:-0}" && \
	if [ -n "$$DUBAN_TODAY" ]; then export DUBAN_DEMO=1; fi && \
	$(BIN)/duban migrate --noinput && \
	$(BIN)/duban load_directory && \
	$(BIN)/duban import duban/data/xishan_2021_plan.txt --if-new && \
	$(BIN)/duban demo_users && \
	if [ -n "$$DUBAN_TODAY" ]; then $(BIN)/duban replay_demo --until "$$DUBAN_TODAY"; fi && \
	$(BIN)/duban runserver 127.0.0.1:8000

# Debian packages the tests drive for real, installed once if missing: Chromium and a CJK font for the
# browser tests, LibreOffice and poppler to render generated documents to PDF and PNG.
SYSTEM_PACKAGES := chromium fonts-noto-cjk libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils
system:
	@(command -v chromium && command -v soffice && command -v pdftoppm && fc-list :lang=zh | grep -q .) >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES))

# The suite runs on both cores (pytest-xdist, -n 2; each worker its own test database), once on SQLite and once
# on PostgreSQL; TEST_JOBS=1 runs it in one process.
TEST_JOBS ?= 2
test: $(STAMP) system
	$(BIN)/python -m pytest -n $(TEST_JOBS)
	# A database name per run (test_duban_<pid>, dropped at the end), so two runs on one machine do not collide.
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/duban_$$$$ $(BIN)/python -m pytest -n $(TEST_JOBS) -m "not pure"

# The API's OpenAPI description, checked in (tests/api/test_schema.py compares it with the code's).
openapi: $(STAMP)
	$(BIN)/python -m django spectacular --settings=tests.settings --validate --fail-on-warn --file docs/openapi.yaml

clean:
	rm -rf $(VENV) *.egg-info
