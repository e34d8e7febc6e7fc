"""The progress page (R14) in Debian's Chromium, headless: the checks every test of the page
makes (docs/progress-page.md). Chromium is a system package: `make test` installs it (apt)
when missing and run as root, as in CI; elsewhere the tests that need it are skipped, with the
reason. Screenshots go to `.data/screenshots/`."""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".data" / "screenshots"
CHROMIUM = os.environ.get("CASEFLOW_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 812}

PageCheck = Callable[[Path, list[dict[str, Any]], Path, str], Awaitable[list[str]]]


def browser_or_skip() -> str:
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(
            f"Debian's chromium is not installed at {CHROMIUM}: `apt-get install chromium` "
            "(make test does it when run as root, as CI does)"
        )
    pytest.importorskip("playwright.async_api", reason="playwright is a dev dependency")
    return CHROMIUM


def shown_value(figure: str, text: str) -> float | str:
    """What a reader reads in a cell, back as a number or an ISO date."""
    if text.endswith("%"):
        return float(text[:-1]) / 100
    if re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", text):
        return datetime.strptime(text, "%d %b %Y").date().isoformat()  # noqa: DTZ007
    return float(text.replace(",", ""))


async def check_progress_page(
    index: Path, rows: list[dict[str, Any]], tmp_path: Path, name: str
) -> list[str]:
    """Open the page at `index` in Chromium: every chart rendered (or says it has no figures),
    every figure on the page equal to the export's `rows` and none missing, no horizontal
    scroll on a phone, nothing fetched from the network; screenshots `name`(-phone).png.
    Returns the plain-language lines."""
    from playwright.async_api import async_playwright

    expected = {f"{r['month']}|{r['stream']}|{r['figure']}|{r['group']}": r for r in rows}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    async with async_playwright() as p:
        context = await p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport=PHONE,
        )
        try:
            page = await context.new_page()

            async def no_network(route: Any) -> None:
                if not route.request.url.startswith("file://"):
                    outside.append(route.request.url)
                    await route.abort()
                else:
                    await route.continue_()

            await page.route("**/*", no_network)
            await page.goto(index.as_uri())

            charts = await page.eval_on_selector_all(
                "svg.chart",
                """els => els.map(e => {
                    const box = e.getBoundingClientRect();
                    const ids = (e.getAttribute('aria-labelledby') || '').split(' ');
                    return {id: e.id, role: e.getAttribute('role'), width: box.width,
                            height: box.height,
                            label: ids.map(i => document.getElementById(i)?.textContent || '')
                                      .join(' ').trim(),
                            marks: e.querySelectorAll('.mark').length,
                            noData: e.querySelectorAll('.no-data').length}; })""",
            )
            assert {c["id"] for c in charts} >= {
                "chart-pact",
                "chart-backlog",
                "chart-forecast",
                "chart-amv",
                "chart-grants",
                "chart-holds",
                "chart-partners",
            }
            # A chart draws when the export has its figures, and says so plainly when not.
            names = {r["figure"] for r in rows}
            dated = {r["figure"] for r in rows if re.fullmatch(r"\d{4}-\d\d-\d\d", str(r["value"]))}
            has = {
                "chart-forecast": any(n.startswith("forecast") for n in dated),
                "chart-partners": any(
                    w in n for n in names for w in ("partner", "notice", "appeal", "transport")
                ),
            }
            for chart in charts:
                assert chart["role"] == "img", chart["id"]
                assert chart["width"] > 300, chart
                assert chart["height"] > 150, chart
                assert len(chart["label"]) > 40, chart["id"]
                if has.get(chart["id"], True):
                    assert chart["marks"] > 0, f"{chart['id']} drew nothing"
                    assert chart["noData"] == 0, chart["id"]
                else:
                    assert chart["noData"] == 1, f"{chart['id']} has no figures: it must say so"

            cells = await page.eval_on_selector_all(
                "td[data-key]",
                "els => els.map(e => [e.dataset.key, e.dataset.value, e.innerText.trim()])",
            )
            seen: dict[str, str] = {}
            for key, raw, text in cells:
                assert key in expected, f"{key} is on the page but not in the export"
                value = expected[key]["value"]
                assert raw == str(value), key
                read = shown_value(expected[key]["figure"], text)
                if isinstance(value, str):
                    assert read == value, key
                else:
                    assert read == pytest.approx(value, abs=0.0005), key
                assert seen.setdefault(key, raw) == raw
            assert set(seen) == set(expected), "figures of the export missing from the page"

            lines = await page.eval_on_selector_all("p.line", "els => els.map(e => e.innerText)")
            assert len(lines) >= len(charts), "a chart without its plain-language line"

            scroll = await page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert scroll[0] <= scroll[1], f"horizontal scroll at 375 px: {scroll}"
            await page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
            await page.set_viewport_size({"width": 1280, "height": 900})
            await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        finally:
            await context.close()
    assert outside == [], f"the page fetched from the network: {outside}"
    assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000
    return lines


@pytest.fixture
def progress_page_check() -> PageCheck:
    """The page checks, skipping the test with the reason where Chromium is missing."""
    browser_or_skip()
    return check_progress_page
