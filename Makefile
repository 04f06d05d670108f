# torchdrill — every target sets up its own environment (.venv) on first use.
#
# Learners
#   make grade               grade exercises/ and print the score table (results.json)
#   make list                every exercise with its state and the course progress
#   make run [EX=ex02]       grade one exercise (default: the first one not done)
#   make check EX=ex02       grade one exercise, every check with its message
#   make hint EX=ex02 [FN=f] the next hint for a function
#   make watch               re-grade the exercise you save, move on when it is done
#   make reset EX=ex02       restore a stub (your file is kept as a backup)
#   make notebooks           one Jupyter notebook per exercise, in notebooks/
# Instructors and authors
#   make class SUBMISSIONS=dir [RESULTS=dir]   grade a class, one folder per learner
#   make report [RESULTS=dir] [REPORT=dir]     HTML reports, CSV gradebook, Gradescope JSON
#   make release             the student release in dist/student (no solutions, no hidden checks)
#   make gradescope          the Gradescope autograder zip in dist/
#   make goldens             record reference observations of the visible checks
#   make exercises           regenerate exercises/ from solutions/
#   make variants            prove the suites against known mistakes
#   make mutants [EX=ex02] [SAMPLE=n] [JOBS=n]   mutation testing: do the checks catch small faults?
#   make test                the whole self-test of the grader and the curriculum
#   make bench               speed benchmarks (results in bench/results.json)
#   make install             create .venv with the pinned course environment

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.torchdrill-installed
TEST_STAMP := $(VENV)/.torchdrill-test-installed
JOBS ?= 1
SUBMISSIONS ?= examples/class
RESULTS ?= build/class-results
REPORT ?= build/report

.PHONY: install grade list run check hint watch reset notebooks class report release gradescope goldens test bench exercises variants mutants clean

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

list: $(STAMP)
	@$(PY) -m grader list || [ $$? -eq 1 ]

run: $(STAMP)
	@$(PY) -m grader run $(EX) || [ $$? -eq 1 ]

hint: $(STAMP)
	@test -n "$(EX)" || { echo "usage: make hint EX=ex02_autograd [FN=function]"; exit 2; }
	@$(PY) -m grader hint $(EX) $(FN)

watch: $(STAMP)
	@$(PY) -m grader watch

reset: $(STAMP)
	@test -n "$(EX)" || { echo "usage: make reset EX=ex02_autograd"; exit 2; }
	@$(PY) -m grader reset $(EX)

notebooks: $(STAMP)
	@$(PY) -m grader notebooks

class: $(STAMP)
	@$(PY) -m grader class $(SUBMISSIONS) --out $(RESULTS)

report: class
	@$(PY) -m grader report $(RESULTS) --out $(REPORT)

release: $(STAMP)
	@$(PY) -m grader release --out dist/student

gradescope: $(STAMP)
	@$(PY) -m grader gradescope --out dist/gradescope-autograder.zip

goldens: $(STAMP)
	@$(PY) -m grader goldens

bench: $(TEST_STAMP)
	@$(PY) bench/run.py

test: $(TEST_STAMP)
	$(PY) -m pytest grader/tests -n 2 -q

exercises: $(STAMP)
	$(PY) -m grader generate

variants: $(STAMP)
	$(PY) -m grader variants

mutants: $(STAMP)
	$(PY) -m grader mutants $(EX) $(if $(SAMPLE),--sample $(SAMPLE)) --jobs $(JOBS)

clean:
	rm -rf $(VENV) results.json build dist
