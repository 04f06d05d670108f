# torchdrill — every target sets up its own environment (.venv) on first use.
#
# Learners
#   make grade               grade exercises/ and print the score table (results.json)
#   make list                every exercise with its state and the course progress
#   make run [EX=ex02]       grade one exercise (default: the first one not done)
#   make check EX=ex02       grade one exercise, every check with its message
#   make hint [EX=ex02 [FN=f]]  the next hint (default: the exercise you are on)
#   make watch               re-grade the exercise you save, move on when it is done
#   make reset EX=ex02       restore a stub (your file is kept as a backup)
#   make notebooks           one Jupyter notebook per exercise, in notebooks/ (installs JupyterLab)
# Instructors and authors
#   make class SUBMISSIONS=dir [RESULTS=dir]   grade a class, one folder per learner (try SUBMISSIONS=examples/class)
#   make report [RESULTS=dir] [REPORT=dir] [ROSTER=csv] [SUBMISSIONS=dir]   report on a graded class: pages, gradebooks, Gradescope JSON, similar code
#   make release [HINTS=n]   the student release in dist/student (no solutions, no hidden checks; n hint levels, default 2)
#   make gradescope          the Gradescope autograder zip in dist/
#   make prairielearn IMAGE=you/torchdrill-grader   PrairieLearn's course folders in dist/prairielearn
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
REPORTS_STAMP := $(VENV)/.torchdrill-reports-installed
TEST_STAMP := $(VENV)/.torchdrill-test-installed
AUTHORING_STAMP := $(VENV)/.torchdrill-authoring-installed
NOTEBOOKS_STAMP := $(VENV)/.torchdrill-notebooks-installed
JOBS ?= 1
HINTS ?= 2
SALTS ?= 50
RESULTS ?= build/class-results
REPORT ?= build/report

# torch's CPU build. On Linux, PyPI's torch wheel pulls in the CUDA libraries (gigabytes of
# nvidia packages); PyTorch's CPU index serves torch 2.13.0+cpu, which the pin torch==2.13.0
# accepts (a local label is ignored when matching) and pip prefers (2.13.0+cpu sorts after
# 2.13.0). The index is added on Linux while torch is not installed in $(VENV), unless pip has
# a package source of its own (index-url, extra-index-url, find-links or no-index in its
# configuration or environment: a mirror or a wheelhouse chooses its own torch).
# TORCH_INDEX= never adds it; TORCH_INDEX=URL adds that index instead.
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
TORCH_INDEX ?= $(shell [ "$$(uname -s)" = Linux ] \
	&& ! { test -x $(PY) && $(PY) -c "import torch"; } > /dev/null 2>&1 \
	&& ! { $(PY) -m pip config list || $(PYTHON) -m pip config list; } 2> /dev/null | grep -qE "(index-url|find-links|no-index)=" \
	&& echo $(TORCH_CPU_INDEX))

# Install the course into $(VENV), with the extras $(1) names in brackets (empty: none); the log is install.log.
define pip_install
@$(PY) -m pip install --disable-pip-version-check -c requirements.lock $(addprefix --extra-index-url ,$(TORCH_INDEX)) -e '.$(1)' >> $(VENV)/install.log 2>&1 \
	|| { grep -v "is ignored: it is neither" $(VENV)/install.log; echo "installation failed (log: $(VENV)/install.log)"; exit 1; }
endef

.PHONY: install grade list run check hint watch reset notebooks class report release gradescope prairielearn goldens test bench exercises variants mutants clean

install: $(STAMP)

# requirements.lock pins every package (direct pins are in pyproject.toml).
$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing the course environment into $(VENV) (first run only)..."
	$(call pip_install,)
	@touch $(STAMP)

# The reports also need matplotlib and jinja2.
$(REPORTS_STAMP): $(STAMP)
	@echo "Installing the report tools into $(VENV) (first run only)..."
	$(call pip_install,[reports])
	@touch $(REPORTS_STAMP)

# The release also needs a TOML writer.
$(AUTHORING_STAMP): $(STAMP)
	@echo "Installing the authoring tools into $(VENV) (first run only)..."
	$(call pip_install,[authoring])
	@touch $(AUTHORING_STAMP)

# The notebooks also need JupyterLab, and the course's Python registered as a Jupyter kernel (in .venv).
$(NOTEBOOKS_STAMP): $(STAMP)
	@echo "Installing JupyterLab and the course's kernel into $(VENV) (first run only)..."
	$(call pip_install,[notebooks])
	@$(PY) -m ipykernel install --sys-prefix --name torchdrill --display-name "torchdrill (.venv)" >> $(VENV)/install.log 2>&1 \
		|| { echo "registering the kernel failed (log: $(VENV)/install.log)"; exit 1; }
	@touch $(NOTEBOOKS_STAMP)

# The self-test also needs the report tools, a Jupyter kernel, JSON Schema and a browser driver.
$(TEST_STAMP): $(STAMP)
	@echo "Installing the self-test tools into $(VENV) (first run only)..."
	$(call pip_install,[test])
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

# Without EX, the exercise you are on (the first one not done), as for run.
hint: $(STAMP)
	@test -n "$(EX)" -o -z "$(FN)" || { echo "usage: make hint [EX=ex02_autograd [FN=function]] (FN= needs EX=)"; exit 2; }
	@$(PY) -m grader hint $(EX) $(FN)

watch: $(STAMP)
	@$(PY) -m grader watch

reset: $(STAMP)
	@test -n "$(EX)" || { echo "usage: make reset EX=ex02_autograd"; exit 2; }
	@$(PY) -m grader reset $(EX)

notebooks: $(NOTEBOOKS_STAMP)
	@$(PY) -m grader notebooks
	@echo "Start Jupyter with: $(VENV)/bin/jupyter lab notebooks/   (kernel: torchdrill (.venv))"

class: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make class SUBMISSIONS=path/to/class [RESULTS=$(RESULTS)] (the example: SUBMISSIONS=examples/class)"; exit 2; }
	@$(PY) -m grader class $(SUBMISSIONS) --out $(RESULTS)

# Reports on a class already graded (make class): it grades nothing.
report: $(REPORTS_STAMP)
	@test -d $(RESULTS)/learners || { echo "no class results in $(RESULTS): grade the class first, with make class SUBMISSIONS=path/to/class RESULTS=$(RESULTS)"; exit 2; }
	@$(PY) -m grader report $(RESULTS) --out $(REPORT) $(if $(ROSTER),--roster $(ROSTER)) $(if $(SUBMISSIONS),--submissions $(SUBMISSIONS))

release: $(AUTHORING_STAMP)
	@$(PY) -m grader release --out dist/student --hints $(HINTS)

gradescope: $(STAMP)
	@$(PY) -m grader gradescope --out dist/gradescope-autograder.zip

prairielearn: $(STAMP)
	@$(PY) -m grader prairielearn --out dist/prairielearn --image "$(IMAGE)"

goldens: $(STAMP)
	@$(PY) -m grader goldens

bench: $(TEST_STAMP)
	@$(PY) bench/run.py

test: $(TEST_STAMP)
	$(PY) -m pytest grader/tests -n 2 -q

exercises: $(STAMP)
	$(PY) -m grader generate

variants: $(STAMP)
	$(PY) -m grader variants --salts $(SALTS)

mutants: $(STAMP)
	$(PY) -m grader mutants $(EX) $(if $(SAMPLE),--sample $(SAMPLE)) --jobs $(JOBS)

clean:
	rm -rf $(VENV) results.json build dist
