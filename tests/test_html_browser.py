"""The HTML brief in a real browser (Debian's headless Chromium, driven by selenium), as a phone
shows it: 390 x 844 CSS pixels, in English and Chinese, in light and dark mode.

Without Chromium and its driver these tests are skipped, except on CI (the CI variable is set),
where a missing browser is a failure: CI must install it."""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, cast

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from typer.testing import CliRunner

from briefgen.cli import app
from briefgen.render.markdown import LABELS

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
DEBIAN_PACKAGES = "chromium chromium-driver fonts-noto-cjk"

WIDTH, HEIGHT = 390, 844  # an iPhone 14's viewport, in CSS pixels
SCALE = 2  # device pixels per CSS pixel
PHONE = {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": SCALE, "mobile": True}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

Lang = Literal["en", "zh"]
Scheme = Literal["light", "dark"]


def require_browser() -> None:
    """Skips (or on CI fails) the test when the browser or its driver is not installed."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if not missing:
        return
    reason = (
        f"headless Chromium is not installed (missing {', '.join(missing)}); "
        f"install the Debian packages: apt-get install {DEBIAN_PACKAGES}"
    )
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"CI must install the browser tests' packages: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """One browser session for the whole module, emulating a phone."""
    require_browser()
    options = webdriver.ChromeOptions()
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ):
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.binary_location = str(CHROMIUM)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        driver.set_window_size(WIDTH, HEIGHT)
        # A phone's viewport: the viewport meta tag counts and scrollbars take no room.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
        yield driver
    finally:
        driver.quit()


def make_page(runner: CliRunner, papers: Path, tmp_path: Path, lang: Lang) -> Path:
    path = tmp_path / f"brief.{lang}.html"
    args = ["daily", "--papers", str(papers), "--format", "html", "--lang", lang, "-o", str(path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return path


def open_page(driver: WebDriver, path: Path, scheme: Scheme = "light") -> None:
    features = [{"name": "prefers-color-scheme", "value": scheme}]
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": features})
    driver.get(path.as_uri())
    dark = driver.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches")
    assert dark == (scheme == "dark")


def js(driver: WebDriver, script: str, *args: Any) -> Any:
    return driver.execute_script(script, *args)


def rgb(css: str) -> tuple[float, float, float]:
    match = re.fullmatch(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)", css)
    assert match, f"not an rgb() colour: {css}"
    assert match.group(4) in (None, "1"), f"translucent colour: {css}"
    red, green, blue = (float(match.group(i)) for i in (1, 2, 3))
    return red, green, blue


def luminance(css: str) -> float:
    """WCAG 2 relative luminance."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in rgb(css))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio, from 1 to 21."""
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_arithmetic() -> None:
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21)
    assert contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)") == pytest.approx(4.54, abs=0.01)
    assert contrast("rgb(85, 85, 85)", "rgb(17, 17, 17)") < 3  # the old dark-mode date line


def test_a_missing_browser_skips_locally_and_fails_on_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(f"{__name__}.CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=DEBIAN_PACKAGES):
        require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=DEBIAN_PACKAGES):
        require_browser()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_fits_a_phone_and_the_table_scrolls_in_its_box(
    browser: WebDriver, runner: CliRunner, example_papers: Path, tmp_path: Path, lang: Lang
) -> None:
    open_page(browser, make_page(runner, example_papers, tmp_path, lang))
    assert js(browser, "return document.documentElement.lang") == (
        "zh-CN" if lang == "zh" else "en"
    )
    widths = js(
        browser,
        "const root = document.documentElement;"
        "return [root.scrollWidth, root.clientWidth, window.innerWidth];",
    )
    assert widths == [WIDTH, WIDTH, WIDTH]
    boxes = js(
        browser,
        "return [...document.querySelectorAll('table')].map(t => {"
        "  const box = t.parentElement;"
        "  return [box.className, getComputedStyle(box).overflowX,"
        "          box.scrollWidth, box.clientWidth, box.getBoundingClientRect().right];"
        "});",
    )
    assert boxes, "the brief has a glance table"
    for name, overflow, scroll_width, client_width, right in boxes:
        assert (name, overflow) == ("table-wrap", "auto")
        assert scroll_width > client_width  # the table scrolls inside its box ...
        assert right <= WIDTH  # ... and the box itself stays on the screen
    # Nothing outside a table box sticks out of the screen either.
    outside = js(
        browser,
        "return [...document.querySelectorAll('main *')]"
        "  .filter(e => !e.closest('.table-wrap') && e.getBoundingClientRect().right > innerWidth)"
        "  .map(e => e.tagName + ': ' + e.textContent.slice(0, 60));",
    )
    assert outside == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_heading_has_an_id_and_a_permalink(
    browser: WebDriver, runner: CliRunner, example_papers: Path, tmp_path: Path, lang: Lang
) -> None:
    open_page(browser, make_page(runner, example_papers, tmp_path, lang))
    headings = cast(
        list[dict[str, str]],
        js(
            browser,
            "return [...document.querySelectorAll('h2, h3')].map(h => ({"
            "  id: h.id, text: h.textContent,"
            "  link: h.querySelector('a.header-anchor')?.getAttribute('href') ?? ''}));",
        ),
    )
    assert len(headings) == 7  # the date and the six sections
    ids = [heading["id"] for heading in headings]
    assert all(ids) and len(set(ids)) == len(ids)
    assert all(heading["link"] == f"#{heading['id']}" for heading in headings)
    assert ids[0] == "2026-06-17"
    if lang == "zh":
        assert ids[1] == "0-执行要点-先读这个"  # Chinese headings keep their characters
    else:
        assert ids[1] == "0-executive-takeaways-read-this-first"
    # A permalink leads to its heading.
    browser.get(f"{browser.current_url}#{ids[2]}")
    top = js(
        browser, "return document.getElementById(arguments[0]).getBoundingClientRect().top;", ids[2]
    )
    assert 0 <= top < HEIGHT / 2


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_text_links_and_borders_pass_wcag_aa(
    browser: WebDriver,
    runner: CliRunner,
    example_papers: Path,
    tmp_path: Path,
    lang: Lang,
    scheme: Scheme,
) -> None:
    open_page(browser, make_page(runner, example_papers, tmp_path, lang), scheme)
    colours = cast(
        dict[str, str | None],
        js(
            browser,
            "const style = selector => {"
            "  const element = document.querySelector(selector);"
            "  return element ? getComputedStyle(element) : {};"
            "};"
            "return {background: style('body').backgroundColor, text: style('body').color,"
            "        date: style('h2').color, section: style('h3').color,"
            "        link: style('td a').color, permalink: style('a.header-anchor').color,"
            "        border: style('td').borderTopColor, rule: style('h3').borderBottomColor,"
            "        header: style('th').backgroundColor, scheme: style(':root').colorScheme};",
        ),
    )
    background = str(colours["background"])
    assert (luminance(background) < 0.05) == (scheme == "dark")  # the mode did change
    if colours["header"] == "rgba(0, 0, 0, 0)":  # a transparent table header
        colours["header"] = background
    # WCAG AA: 4.5:1 for text; 3:1 for the lines that show the table's grid and the sections.
    for part, least, against in [
        ("text", 4.5, background),
        ("date", 4.5, background),
        ("section", 4.5, background),
        ("link", 4.5, background),
        ("permalink", 4.5, background),
        ("text", 4.5, colours["header"]),
        ("border", 3, background),
        ("rule", 3, background),
    ]:
        colour = colours[part]
        assert colour and against, f"no {part} on the page"
        ratio = contrast(colour, against)
        assert ratio >= least, f"{part} {colour} on {against}: {ratio:.2f} < {least}"
    assert colours["scheme"] == "light dark"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_read_from_and_domain_cells_do_not_wrap_a_glyph_a_line(
    browser: WebDriver, runner: CliRunner, example_papers: Path, tmp_path: Path, lang: Lang
) -> None:
    open_page(browser, make_page(runner, example_papers, tmp_path, lang))
    columns = LABELS[lang].glance_columns
    cells = cast(
        list[dict[str, Any]],
        js(
            browser,
            "const [readFrom, domain] = arguments;"
            "const heads = [...document.querySelectorAll('table th')].map(th => th.textContent);"
            "const lines = cell => { const range = document.createRange();"
            "  range.selectNodeContents(cell);"
            "  const lineHeight = parseFloat(getComputedStyle(cell).lineHeight);"
            "  return range.getBoundingClientRect().height / lineHeight; };"
            "return [...document.querySelectorAll('table tr')].map(tr => ({"
            "  readFrom: tr.children[heads.indexOf(readFrom)].textContent,"
            "  readFromLines: lines(tr.children[heads.indexOf(readFrom)]),"
            "  domainEms: tr.children[heads.indexOf(domain)].clientWidth"
            "    / parseFloat(getComputedStyle(tr.children[heads.indexOf(domain)]).fontSize)}));",
            columns[4],
            columns[2],
        ),
    )
    assert len(cells) > 10  # the header and every paper of the day, each measured
    assert {cell["readFrom"] for cell in cells[1:]} <= set(LABELS[lang].read_from.values())
    for cell in cells:
        assert cell["readFromLines"] < 1.5, cell  # one line
        assert cell["domainEms"] >= 6, cell  # room for a few words or six Chinese characters


def test_a_screenshot_of_the_chinese_page_on_a_phone(
    browser: WebDriver, runner: CliRunner, example_papers: Path, tmp_path: Path
) -> None:
    open_page(browser, make_page(runner, example_papers, tmp_path, "zh"), "dark")
    shot = tmp_path / "brief-390.zh.dark.png"
    assert browser.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (WIDTH * SCALE, HEIGHT * SCALE)
