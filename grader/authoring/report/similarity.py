"""Similarity across a class: pairs of learners whose code for one exercise is unusually alike.

For the instructor to judge, never a verdict: nothing here changes a score, and no
fixed similarity marks a pair as copied. Each exercise's files are compared pair by
pair with copydetect's winnowing (Schleimer, Wilkerson and Aiken's MOSS algorithm)
on normalised code: copydetect's Python filter turns every name into one letter per
kind, every string into one, and drops comments and whitespace, so renaming
variables or rewording comments changes nothing. The exercise's stub (as the
generator makes it) is boilerplate: what every learner was handed never counts.

A pair's similarity is the larger of its two shares (how much of one learner's
code, after boilerplate, is found in the other's). What is "unusual" is measured
against the same exercise's other pairs, since short exercises leave less room
to differ: a pair stands out when its modified z-score (Iglewicz and Hoaglin:
0.6745 × distance from the median / median absolute deviation) exceeds 3.5, the
usual outlier rule, with the deviation floored at MIN_SPREAD so that a class
whose pairs share nothing does not make a small overlap stand out. A pair that
stands out is shown with its matching regions side by side.

Learner files come through class grading's staging (`grader.classroom.staging`:
allow-listed files only, bounded reads, no link followed, notebooks converted),
and the report escapes every character of them.
"""

from __future__ import annotations

import io
import statistics
import tempfile
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from copydetect import CodeFingerprint

NOISE = 25  # k: the shortest match, in normalised characters, that counts (copydetect's default)
GUARANTEE = 30  # any match this long is always found (copydetect's default): window = 30 - 25 + 1
OUTLIER = 3.5  # modified z-score above which a pair stands out (Iglewicz and Hoaglin)
MIN_SPREAD = 0.05  # the deviation's floor, as a share of the code
SHOWN_CHARS = 12_000  # of each side of a pair on the page; the rest is said to be cut
SOURCE = "submission.py"  # copydetect picks its tokenizer from the name's suffix


@dataclass(frozen=True)
class Segment:
    text: str
    matched: bool  # part of a region found in the other learner's file


@dataclass(frozen=True)
class Pair:
    exercise: str
    learners: tuple[str, str]
    shares: tuple[float, float]  # of each learner's code found in the other's
    score: float  # modified z-score within the exercise
    sides: tuple[list[Segment], list[Segment]]  # each learner's code, matching regions marked
    cut: tuple[bool, bool]  # a side longer than SHOWN_CHARS

    @property
    def similarity(self) -> float:
        return max(self.shares)


@dataclass
class ExerciseSimilarity:
    exercise: str
    learners: int  # with a file for the exercise that holds more than the stub
    median: float = 0.0  # of the pairs' similarities
    highest: float = 0.0
    pairs: list[Pair] = field(default_factory=list)  # the pairs that stand out, most similar first

    @property
    def compared(self) -> int:
        return self.learners * (self.learners - 1) // 2


def _fingerprint(code: str, boilerplate: list[int]) -> CodeFingerprint:
    from copydetect import CodeFingerprint

    window = GUARANTEE - NOISE + 1
    return CodeFingerprint(SOURCE, NOISE, window, boilerplate, fp=io.StringIO(code))


def compare_exercise(exercise: str, stub: str, code: dict[str, str]) -> ExerciseSimilarity:
    """Every pair of `code` (learner -> the exercise's file), the stub as boilerplate."""
    from copydetect import CodeFingerprint, compare_files

    boilerplate = list(CodeFingerprint(SOURCE, NOISE, 1, fp=io.StringIO(stub)).hashes)
    prints = {learner: _fingerprint(text, boilerplate) for learner, text in sorted(code.items())}
    prints = {learner: found for learner, found in prints.items() if found.hashes}  # the stub, as handed out: nothing to compare
    compared = []
    for a, b in combinations(prints, 2):
        _, shares, slices = compare_files(prints[a], prints[b])
        compared.append(((a, b), (float(shares[0]), float(shares[1])), slices))
    result = ExerciseSimilarity(exercise, len(prints))
    if len(compared) < 3:  # too few pairs for a median to say what is usual
        return result
    similarities = [max(shares) for _, shares, _ in compared]
    result.median, result.highest = statistics.median(similarities), max(similarities)
    spread = max(statistics.median(abs(s - result.median) for s in similarities), MIN_SPREAD)
    for (learners, shares, slices), similarity in zip(compared, similarities):
        score = 0.6745 * (similarity - result.median) / spread
        if score > OUTLIER:
            left, right = (_segments(prints[name].raw_code, cuts) for name, cuts in zip(learners, slices))
            result.pairs.append(Pair(exercise, learners, shares, score, (left[0], right[0]), (left[1], right[1])))
    result.pairs.sort(key=lambda pair: (-pair.similarity, pair.learners))
    return result


def _segments(code: str, cuts: Any) -> tuple[list[Segment], bool]:
    """The code as plain and matched stretches (at most SHOWN_CHARS of it), and whether it was cut.

    `cuts`: copydetect's slices of one file, a 2 x N array of starts and ends (empty: no match).
    """
    shown = code[:SHOWN_CHARS]
    segments, at = [], 0
    starts, ends = cuts if len(cuts) == 2 else ([], [])
    for start, end in zip(map(int, starts), map(int, ends)):
        start, end = max(start, at), min(end, len(shown))
        if start >= end:
            continue
        if start > at:
            segments.append(Segment(shown[at:start], False))
        segments.append(Segment(shown[start:end], True))
        at = end
    if at < len(shown):
        segments.append(Segment(shown[at:], False))
    return segments, len(code) > SHOWN_CHARS


def class_similarity(submissions: Path, exercises: list[str], stubs: dict[str, str]) -> list[ExerciseSimilarity]:
    """Each exercise's pairs, from a class folder (one sub-folder per learner), read as class grading stages it."""
    from grader.classroom.grading import learner_folders
    from grader.classroom.staging import stage

    code: dict[str, dict[str, str]] = {exercise: {} for exercise in exercises}
    with tempfile.TemporaryDirectory(prefix="torchdrill-similarity-") as work:
        for folder in learner_folders(submissions):
            staged = stage(folder, Path(work) / "staged", exercises)
            for file in staged.files:
                text = (staged.folder / f"{file.exercise}.py").read_bytes().decode("utf-8", errors="replace")
                code[file.exercise][staged.learner] = text
    return [compare_exercise(exercise, stubs[exercise], code[exercise]) for exercise in exercises if code[exercise]]
