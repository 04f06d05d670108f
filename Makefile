# torchdrill — every target sets up its own environment (.venv) on first use.
#
#   make grade               grade exercises/ and print the score table (results.json)
#   make check EX=ex02       grade one exercise, every check with its message
#   make test                the whole self-test of the grader and the curriculum
#   make install             create .venv with the pinned course environment
#   make exercises           regenerate exercises/ from solutions/ (authors)
#   make variants            prove the suites against known mistakes (authors)

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.torchdrill-installed
TEST_STAMP := $(VENV)/.torchdrill-test-installed
JOBS ?= 1

.PHONY: install grade check test exercises variants clean

install: $(STAMP)

# requirements.lock pins every package (direct pins are in pyproject.toml).
$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing the course environment into $(VENV) (first run only)..."
	@$(PY) -m pip install --disable-pip-version-check -c requirements.lock -e . > $(VENV)/install.log 2>&1 \
		|| { grep -v "is ignored: it is neither" $(VENV)/install.log; echo "installation failed (log: $(VENV)/install.log)"; exit 1; }
	@touch $(STAMP)

# The self-test also needs a Jupyter kernel, JSON Schema and a browser driver.
$(TEST_STAMP): $(STAMP)
	@echo "Installing the self-test tools into $(VENV) (first run only)..."
	@$(PY) -m pip install --disable-pip-version-check -c requirements.lock -e '.[test]' >> $(VENV)/install.log 2>&1 \
		|| { grep -v "is ignored: it is neither" $(VENV)/install.log; echo "installation failed (log: $(VENV)/install.log)"; exit 1; }
	@touch $(TEST_STAMP)

# Exit status 1 means "graded, not everything passes yet": not an error for make.
grade: $(STAMP)
	@$(PY) -m grader grade --jobs $(JOBS) || [ $$? -eq 1 ]

check: $(STAMP)
	@test -n "$(EX)" || { echo "usage: make check EX=ex02_autograd"; exit 2; }
	@$(PY) -m grader grade $(EX) --details || [ $$? -eq 1 ]

test: $(TEST_STAMP)
	$(PY) -m pytest grader/tests -n 2 -q

exercises: $(STAMP)
	$(PY) -m grader generate

variants: $(STAMP)
	$(PY) -m grader variants

clean:
	rm -rf $(VENV) results.json
