"""The course catalog: exercise order, titles and tiered hints, from `catalog.toml`.

One readable file holds all exercise metadata (rustlings' `info.toml` is the
model); everything else (files, suites) is found from the exercise name.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

CATALOG_FILE = "catalog.toml"
FORMAT_VERSION = 1  # of catalog.toml: a grader refuses a catalog written for another format


class CatalogError(ValueError):
    """catalog.toml cannot be read as this grader's catalog."""


@dataclass(frozen=True)
class Exercise:
    name: str  # ex02_autograd: the module, the suite (tests/test_ex02_autograd.py)
    title: str
    intro: str = ""
    hints: dict[str, tuple[str, ...]] = field(default_factory=dict)  # function -> nudge, key idea, the step in words


@dataclass(frozen=True)
class Catalog:
    exercises: tuple[Exercise, ...]

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.exercises]

    def find(self, query: str) -> Exercise:
        """By full name or unambiguous prefix (`ex02`, `ex02_autograd`)."""
        matches = [e for e in self.exercises if e.name == query] or [
            e for e in self.exercises if e.name.startswith(query)
        ]
        if len(matches) != 1:
            known = ", ".join(self.names)
            raise KeyError(f"no single exercise matches {query!r}; known: {known}")
        return matches[0]

    def to_dict(self, hint_levels: int | None = None) -> dict[str, object]:
        """The catalog as catalog.toml holds it, with at most `hint_levels` levels of each hint (None: all)."""
        return {
            "format_version": FORMAT_VERSION,
            "exercise": [
                {
                    "name": e.name,
                    "title": e.title,
                    **({"intro": e.intro + "\n"} if e.intro else {}),
                    "hints": {name: list(levels[:hint_levels]) for name, levels in e.hints.items()},
                }
                for e in self.exercises
            ],
        }


def load(path: Path) -> Catalog:
    """The catalog in `path` (a course's `catalog.toml`; `Course.catalog` is the usual way in)."""
    data = tomllib.loads(path.read_text())
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise CatalogError(f"{path}: format_version = {version!r}; this grader reads format_version = {FORMAT_VERSION} (update the grader or the catalog)")
    exercises = []
    for entry in data.get("exercise", []):
        hints = {name: tuple(levels) for name, levels in entry.get("hints", {}).items()}
        exercises.append(Exercise(entry["name"], entry["title"], entry.get("intro", "").strip(), hints))
    return Catalog(tuple(exercises))
