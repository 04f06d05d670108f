"""The report pages in a real browser: headless Chromium, opened from file://, offline.

Checks what a reader sees: no console error, the plots drawn with a size, the
score matrix sorting on a click. Screenshots are saved next to the test's
temporary files; their paths are printed and recorded as test properties.
Skipped, with the reason, only where no Chromium is installed (CI installs one).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.commands import main
from grader.tests.conftest import COURSE
from grader.tests.test_report import learner, result, write_class

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH (CI installs one)")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    out = root / "report"
    assert main(["report", str(write_class(root / "results")), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a self-test dependency")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


class Visit:
    """A page opened from a file, with every console error and every request that left the disk."""

    def __init__(self, browser, path: Path, width: int = 1280) -> None:
        self.errors: list[str] = []
        self.remote: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.route("**/*", self._offline)
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def _offline(self, route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.remote.append(route.request.url)
            route.abort()

    def screenshot(self, path: Path, record_property) -> None:
        self.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0
        record_property("screenshot", str(path))
        print(f"screenshot: {path}")


@pytest.fixture(scope="module")
def wide_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A class graded on every exercise of the course, with long learner ids: the widest score matrix."""
    root = tmp_path_factory.mktemp("wide")
    for index, name in enumerate(["ada-lovelace-with-a-long-folder-name", "ben", "cai-some-other-long-name"]):
        checks = [
            result(exercise, f"check_{n}", "passed" if (n + index) % 3 else "failed", max_points=7.5)
            for exercise in COURSE.catalog.names
            for n in range(3)
        ]
        learner(name, checks).write_json(root / "results" / "learners" / f"{name}.json")
    out = root / "report"
    assert main(["report", str(root / "results"), "--out", str(out)]) == 0
    return out


def inside(box: dict, frame: dict) -> bool:
    return box["x"] >= frame["x"] - 0.5 and box["x"] + box["width"] <= frame["x"] + frame["width"] + 0.5


def learners_in_order(page) -> list[str]:
    return page.locator("#score-matrix tbody tr td:first-child").all_inner_texts()


def test_the_handout_shows_no_hidden_check_message(browser, report):
    visit = Visit(browser, report / "handouts" / "ben.html")
    hidden = visit.page.locator("tr.check", has_text="stats_random")
    assert hidden.locator("pre").count() == 0 and hidden.locator(".tag").inner_text() == "hidden"
    assert visit.page.locator("a", has_text="class report").count() == 0
    assert visit.errors == []


def test_class_page_renders_plots_and_sorts(browser, report, tmp_path, record_property):
    visit = Visit(browser, report / "index.html")
    page = visit.page
    for figure in ("#histogram svg", "#exercise-means svg"):
        plot = page.locator(figure)
        assert plot.is_visible(), figure
        box = plot.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100, (figure, box)
    assert page.locator("#histogram svg g[id^=patch]").count() >= 10  # the bars, drawn by matplotlib

    assert learners_in_order(page) == ["ada", "ben", "cai", "dee"]
    total = page.locator("#score-matrix thead th", has_text="total")
    total.click()
    assert learners_in_order(page) == ["cai", "ben", "dee", "ada"]  # 0, 2, 4, 8 points
    assert total.get_attribute("aria-sort") == "ascending"
    total.click()
    assert learners_in_order(page) == ["ada", "dee", "ben", "cai"]
    page.locator("#score-matrix thead th", has_text="learner").click()
    assert learners_in_order(page) == ["ada", "ben", "cai", "dee"]

    visit.screenshot(tmp_path / "class.png", record_property)
    assert visit.errors == []
    assert visit.remote == []
    page.evaluate("console.error('listener works')")  # the error listener would have caught one
    assert visit.errors == ["listener works"]


def test_the_score_matrix_keeps_learner_total_and_share_in_view_at_1400_px(browser, wide_report, tmp_path, record_property):
    visit = Visit(browser, wide_report / "index.html", width=1400)
    page = visit.page
    viewport = {"x": 0, "width": 1400}
    box = page.locator(".matrix").bounding_box()
    assert box is not None and inside(box, viewport)
    assert page.locator("#score-matrix thead th").count() == len(COURSE.catalog.names) + 3
    assert page.locator(".matrix").evaluate("(e) => e.scrollWidth > e.clientWidth")  # too wide for the page here
    for edge in ("left", "right"):
        page.locator(".matrix").evaluate(f"(e) => e.scrollLeft = {'0' if edge == 'left' else 'e.scrollWidth'}")
        for column in ("th.learner", "th.total", "th.share", "tbody tr:first-child td.total"):
            cell = page.locator(f"#score-matrix {column}").first.bounding_box()
            assert cell is not None and inside(cell, box) and inside(cell, viewport), (edge, column, cell, box)
    assert page.locator("#score-matrix tbody tr:first-child td.share").inner_text().endswith("%")
    visit.screenshot(tmp_path / "wide-class.png", record_property)
    assert visit.errors == []


def test_learner_page_renders_from_the_class_page_link(browser, report, tmp_path, record_property):
    visit = Visit(browser, report / "index.html")
    visit.page.locator("#score-matrix a", has_text="ben").click()
    visit.page.wait_for_load_state("load")
    page = visit.page
    assert page.url.endswith("/learners/ben.html")
    assert page.locator("h1").inner_text() == "ben"
    assert page.locator("#total").inner_text() == "2/8"
    assert page.locator("tr.check").count() == 5
    failed = page.locator("tr.check.failed", has_text="means")
    assert failed.locator(".diagnosis").inner_text() == "sum instead of mean?"
    assert failed.locator("pre").is_visible()
    hidden = page.locator("tr.check", has_text="stats_random")
    assert hidden.locator(".tag").inner_text() == "hidden from the learner"  # the instructor's page shows it all
    visit.screenshot(tmp_path / "learner.png", record_property)
    assert visit.errors == []
    assert visit.remote == []
