"""What each audience installs, and how: pyproject's extras, requirements.lock, torch's CPU index,
the Makefile's install and report targets, and the learner's commands staying free of the report tools."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from pathlib import Path

import pytest

from grader.tests.conftest import ROOT

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
REPORT_TOOLS = ("matplotlib", "jinja2", "copydetect")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = dict(line.split("==") for line in (ROOT / "requirements.lock").read_text().split())


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: list[str]) -> dict[str, str]:
    """name -> version of `name==version` requirements (the self-reference `torchdrill[...]` aside)."""
    found = {}
    for requirement in requirements:
        if requirement.startswith("torchdrill["):
            continue
        name, _, version = requirement.partition("==")
        assert version and re.fullmatch(r"[\w.]+", version), f"not pinned exactly: {requirement}"
        found[canonical(name)] = version
    return found


# --- pyproject.toml and requirements.lock -----------------------------------------------------------


def test_learners_install_no_report_or_test_tools():
    base = pins(PYPROJECT["project"]["dependencies"])
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert not set(base) & {*REPORT_TOOLS, "playwright", "nbclient", "ipykernel", "jupyterlab", "tomli-w"}
    assert set(pins(extras["notebooks"])) == {"jupyterlab", "ipykernel"}  # `make notebooks`: Jupyter and a kernel
    assert set(pins(extras["reports"])) == set(REPORT_TOOLS)
    assert set(pins(extras["authoring"])) == {"tomli-w"}  # only instructors write catalogs
    # the self-test builds reports and releases
    assert "torchdrill[reports,authoring]" in extras["test"]
    assert {"playwright", "jsonschema", "nbclient", "ipykernel"} <= set(pins(extras["test"]))


def test_the_lock_pins_every_direct_requirement_at_its_version():
    lock = {canonical(name): version for name, version in LOCK.items()}
    direct = pins(PYPROJECT["project"]["dependencies"])
    for extra in PYPROJECT["project"]["optional-dependencies"].values():
        direct |= pins(extra)
    assert {name: lock.get(name) for name in direct} == direct
    assert all(re.fullmatch(r"[\w.]+", version) for version in LOCK.values())


# --- torch's CPU build ------------------------------------------------------------------------------


def fake_wheel(folder: Path, version: str) -> None:
    """A wheel of a package named torch that holds nothing: enough for pip to choose between versions."""
    folder.mkdir(parents=True, exist_ok=True)
    info = f"torch-{version}.dist-info"
    files = {
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: torch\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{name},,\n" for name in [*files, f"{info}/RECORD"])
    with zipfile.ZipFile(folder / f"torch-{version}-py3-none-any.whl", "w") as wheel:
        for name, text in files.items():
            wheel.writestr(name, text)


def clean_pip_environment(**extra: str) -> dict[str, str]:
    """This process's environment without any pip configuration (files or PIP_* variables)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    return env | {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"} | extra


@pytest.mark.parametrize("requirement", ["torch==2.13.0", "torch==2.13.0+cpu"])
def test_pip_picks_the_cpu_build_when_both_indexes_offer_torch(tmp_path, requirement):
    """What `--extra-index-url` relies on: PyPI's 2.13.0 and the CPU index's 2.13.0+cpu both match the
    lock's torch==2.13.0, and pip takes the +cpu one (setup.sh asks for it by name). Offline: two local
    folders stand in for the two indexes."""
    fake_wheel(tmp_path / "pypi", "2.13.0")
    fake_wheel(tmp_path / "cpu", "2.13.0+cpu")
    (tmp_path / "lock.txt").write_text("torch==2.13.0\n")
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-index", "--quiet",
         "--find-links", str(tmp_path / "pypi"), "--find-links", str(tmp_path / "cpu"),
         "-c", str(tmp_path / "lock.txt"), "--report", str(report), requirement],
        capture_output=True, text=True, env=clean_pip_environment(), timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [item["metadata"]["version"] for item in json.loads(report.read_text())["install"]] == ["2.13.0+cpu"]


def planned_install(tmp_path: Path, env: dict[str, str], *settings: str) -> str:
    """The pip command `make install` would run for a fresh environment in tmp_path (make -n: nothing runs)."""
    done = subprocess.run(
        ["make", "-n", "install", f"VENV={tmp_path / 'venv'}", f"PYTHON={sys.executable}", *settings],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    (command,) = [line for line in done.stdout.splitlines() if "pip install" in line]
    return command


@pytest.mark.skipif(platform.system() != "Linux", reason="the CPU index is added on Linux only")
def test_a_fresh_linux_install_takes_torch_from_the_cpu_index(tmp_path):
    command = planned_install(tmp_path, clean_pip_environment())
    assert f"--extra-index-url {CPU_INDEX}" in command and "-c requirements.lock" in command
    assert command.split("--extra-index-url")[0].endswith("-c requirements.lock ")  # before the requirements


def test_torch_index_empty_turns_the_cpu_index_off_and_a_url_replaces_it(tmp_path):
    assert "--extra-index-url" not in planned_install(tmp_path, clean_pip_environment(), "TORCH_INDEX=")
    mirror = "https://mirror.example.org/torch-cpu"
    assert f"--extra-index-url {mirror}" in planned_install(tmp_path, clean_pip_environment(), f"TORCH_INDEX={mirror}")


@pytest.mark.parametrize("setting", ["PIP_FIND_LINKS=/opt/wheels", "PIP_INDEX_URL=https://mirror.example.org/simple",
                                     "PIP_EXTRA_INDEX_URL=file:///opt/pypi/simple", "PIP_NO_INDEX=1"])
def test_a_pip_with_a_package_source_of_its_own_is_left_to_it(tmp_path, setting):
    """A mirror or a wheelhouse (this machine's: no network beyond it) chooses its own torch."""
    name, value = setting.split("=", 1)
    assert "--extra-index-url" not in planned_install(tmp_path, clean_pip_environment(**{name: value}))


def test_an_environment_that_has_torch_already_is_left_as_it_is(tmp_path):
    venv = Path(sys.prefix)  # this environment imports torch
    stamp = tmp_path / "never-made"
    done = subprocess.run(
        ["make", "-n", "install", f"VENV={venv}", f"STAMP={stamp}"],
        cwd=ROOT, capture_output=True, text=True, env=clean_pip_environment(), timeout=120, check=False,
    )
    assert done.returncode == 0 and "pip install" in done.stdout, done.stdout + done.stderr
    assert "--extra-index-url" not in done.stdout


# --- the Makefile's instructor targets ---------------------------------------------------------------


def make(tmp_path: Path, *arguments: str, dry: bool = False) -> subprocess.CompletedProcess[str]:
    """`make` in the course with this environment, seen as installed (stamps of our own, newer than
    the packaging files), so nothing is installed."""
    newest = max((ROOT / name).stat().st_mtime for name in ("pyproject.toml", "requirements.lock"))
    stamps = []
    for age, name in enumerate(("STAMP", "REPORTS_STAMP", "TEST_STAMP"), start=1):
        path = tmp_path / f"{name.lower()}"
        path.touch()
        os.utime(path, (newest + age, newest + age))
        stamps.append(f"{name}={path}")
    command = ["make", *(["-n"] if dry else []), *arguments, f"VENV={sys.prefix}", *stamps]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_make_report_only_reports(tmp_path):
    planned = make(tmp_path, "report", f"RESULTS={tmp_path / 'results'}", f"REPORT={tmp_path / 'report'}", dry=True)
    assert planned.returncode == 0, planned.stderr
    assert "-m grader report" in planned.stdout and "-m grader class" not in planned.stdout
    assert "pip install" not in planned.stdout
    roster = make(tmp_path, "report", "RESULTS=r", "ROSTER=examples/roster.csv", dry=True)
    assert "--roster examples/roster.csv" in roster.stdout


def test_make_report_on_a_missing_results_folder_says_what_to_run(tmp_path):
    done = make(tmp_path, "report", f"RESULTS={tmp_path / 'never-graded'}", f"REPORT={tmp_path / 'report'}")
    assert done.returncode != 0
    assert f"no class results in {tmp_path / 'never-graded'}" in done.stdout and "make class SUBMISSIONS=" in done.stdout
    assert not (tmp_path / "report").exists()


def test_make_class_needs_the_submissions_named(tmp_path):
    done = make(tmp_path, "class", f"RESULTS={tmp_path / 'results'}")
    assert done.returncode != 0 and "usage: make class SUBMISSIONS=" in done.stdout
    assert not (tmp_path / "results").exists()


# --- the learner's side never loads the report tools -------------------------------------------------

LEARNER_IMPORTS = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    for blocked in {blocked!r}:
        sys.modules[blocked] = None  # importing it now raises ImportError
    import grader
    from grader.authoring import release
    for package in ("core", "run", "learner"):
        module = importlib.import_module(f"grader.{{package}}")
        for info in pkgutil.walk_packages(module.__path__, f"grader.{{package}}."):
            importlib.import_module(info.name)
    commands = [c for c in release._command_names() if c.rstrip("_") not in release.INSTRUCTOR_COMMANDS]
    for name in commands:
        importlib.import_module(f"grader.commands.{{name}}")
    from grader.commands import main
    code = main(["list"])
    print("ok", len(commands), code)
    """
)


def test_the_learners_commands_run_without_the_report_tools():
    """Every module of core, run and learner, every learner command, and `list` run with matplotlib and
    jinja2 made unimportable: a learner's environment need not have them."""
    done = subprocess.run(
        [sys.executable, "-c", LEARNER_IMPORTS.format(blocked=REPORT_TOOLS)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    found = re.search(r"^ok (\d+) [01]$", done.stdout, re.MULTILINE)
    assert found and int(found[1]) >= 6, done.stdout  # list, run, hint, watch, reset, grade, ...
