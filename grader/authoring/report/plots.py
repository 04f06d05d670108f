"""The class page's figures, drawn by matplotlib and inlined as SVG.

Figures are made without pyplot (no global state, no display) and written as
SVG with text kept as text, no date, and ids salted per figure (stable, and
distinct between two figures of one page), so the same results give
byte-identical pages and a page needs no file or network beside itself.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

STYLE = {"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}
BAR_COLOR = "#3b6ea5"
WIDTH = 6.4  # inches


def score_histogram(counts: list[int]) -> str:
    """Learners per score band (`stats.histogram`), one bar per band."""
    bins = len(counts)
    labels = [f"{100 * i // bins}–{100 * (i + 1) // bins}%" for i in range(bins)]

    def draw(axes: Axes) -> None:
        axes.bar(range(bins), counts, color=BAR_COLOR, width=0.85)
        axes.set_xticks(range(bins), labels, rotation=30, ha="right")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(0, max(counts, default=0) + 1)
        axes.set_xlabel("total score")
        axes.set_ylabel("learners")

    return _render(draw, (WIDTH, 2.8), "score-histogram")


def exercise_means(means: dict[str, float]) -> str:
    """Mean share of each exercise's points, one horizontal bar per exercise, first on top."""
    names = list(means)

    def draw(axes: Axes) -> None:
        axes.barh(range(len(names)), [means[n] for n in names], color=BAR_COLOR, height=0.7)
        axes.set_yticks(range(len(names)), names)
        axes.invert_yaxis()
        axes.set_xlim(0, 1)
        axes.xaxis.set_major_formatter(PercentFormatter(xmax=1))
        axes.set_xlabel("mean score")

    return _render(draw, (WIDTH, 0.8 + 0.28 * max(len(names), 1)), "exercise-means")


def _render(draw: Callable[[Axes], None], size: tuple[float, float], salt: str) -> str:
    """The `<svg>` element of one figure, ready to inline into HTML."""
    buffer = io.StringIO()
    with matplotlib.rc_context({**STYLE, "svg.hashsalt": salt}):
        figure = Figure(figsize=size)
        axes = figure.add_subplot()
        axes.set_axisbelow(True)
        axes.grid(alpha=0.25)
        draw(axes)
        figure.tight_layout()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]
