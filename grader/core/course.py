"""The course folder: the one object that knows where everything is.

nbgrader's `CourseDirectory` and rustlings' `ExerciseInfo::path` are the models:
every path of the course (solutions, stubs, suites, variants, goldens, data, the
learner's state and results) is built here and nowhere else, from the folder
that holds `catalog.toml`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from grader.core.catalog import CATALOG_FILE, Catalog, load

SUITE_PREFIX = "test_"


@dataclass(frozen=True)
class Course:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Course:
        """The nearest folder, from `start` (the working directory) up, that holds the catalog.

        Else the folder the grader package was installed from (a checkout of the course).
        """
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / CATALOG_FILE).is_file():
                return cls(folder)
        return cls(Path(__file__).resolve().parents[2])

    @functools.cached_property
    def catalog(self) -> Catalog:
        return load(self.catalog_file)

    # --- folders

    @property
    def catalog_file(self) -> Path:
        return self.root / CATALOG_FILE

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def exercises(self) -> Path:
        return self.root / "exercises"

    @property
    def suites(self) -> Path:
        return self.root / "tests"

    @property
    def variants(self) -> Path:
        return self.suites / "variants"

    @property
    def goldens(self) -> Path:
        return self.root / "goldens"

    @property
    def stubs(self) -> Path:
        """The student release's pristine stubs (it has no solutions/ to make them from): what `reset` restores."""
        return self.root / "stubs"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def staged_notebooks(self) -> Path:
        """Where `list`, `run` and `grade` stage the modules of notebooks that hold the learner's work."""
        return self.private / "notebook-modules"

    @property
    def private(self) -> Path:
        """The course's own state (`.torchdrill/`): the learner's hint record, the instructor's secret."""
        return self.root / ".torchdrill"

    @property
    def state_file(self) -> Path:
        return self.private / "state.json"

    @property
    def secret_file(self) -> Path:
        return self.private / "course-secret"

    @property
    def results_file(self) -> Path:
        """The learner's latest verdicts (`make grade` writes them, `list` and `run` merge into them)."""
        return self.root / "results.json"

    @property
    def has_solutions(self) -> bool:
        """A development checkout (not the student release): references come from solutions/."""
        return self.solutions.is_dir()

    # --- per exercise

    def solution(self, exercise: str) -> Path:
        return self.solutions / f"{exercise}.py"

    def exercise(self, exercise: str) -> Path:
        return self.exercises / f"{exercise}.py"

    def notebook(self, exercise: str) -> Path:
        """The exercise's notebook, as `make notebooks` writes it."""
        return self.notebooks / f"{exercise}.ipynb"

    def suite(self, exercise: str) -> Path:
        return self.suites / f"{SUITE_PREFIX}{exercise}.py"

    def suite_files(self) -> list[Path]:
        return sorted(self.suites.glob(f"{SUITE_PREFIX}*.py"))

    def variants_of(self, exercise: str) -> Path:
        return self.variants / exercise

    def golden_files(self, exercise: str, folder: Path | None = None) -> tuple[Path, Path]:
        """The recorded reference outcomes of an exercise: JSON (headers) and safetensors (tensors)."""
        folder = folder or self.goldens
        return folder / f"{exercise}.json", folder / f"{exercise}.safetensors"

    def stub(self, exercise: str) -> str:
        """The pristine stub of an exercise, exactly as the generator makes it.

        Made from the solution where there is one; the student release ships the generator's
        output in stubs/ instead.
        """
        from grader.core.stubs import make_stub

        solution = self.solution(exercise)
        if solution.is_file():
            return make_stub(solution.read_text(), str(solution.relative_to(self.root)))
        shipped = self.stubs / f"{exercise}.py"
        if shipped.is_file():
            return shipped.read_text()
        raise FileNotFoundError(
            f"cannot restore {exercise}: neither {solution.relative_to(self.root)} nor {shipped.relative_to(self.root)} is in this copy of the course"
        )


def exercise_of(suite: Path) -> str:
    """`tests/test_ex02_autograd.py` grades `ex02_autograd`."""
    return suite.stem.removeprefix(SUITE_PREFIX)
