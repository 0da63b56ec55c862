"""Real-browser test: Debian's Chromium (Playwright, sync API) against a live uvicorn server.

Loads the map page, waits until MapLibre has rendered the sector features, types an address
with a typo, picks the suggestion, waits for the trajectory in the sidebar and saves a
screenshot (copied to ``$WIJKRENO_SCREENSHOT_DIR`` when set). Chromium comes from Debian
(``scripts/install_system_deps.sh``), not from Playwright's own download.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is missing; run scripts/install_system_deps.sh (as root) to "
           "install Debian's chromium package")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(app) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 (a free port) in a thread."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                              args=["--no-sandbox", "--use-gl=swiftshader",
                                    "--enable-unsafe-swiftshader"])
        yield b
        b.close()


def _save(page, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / name
    page.screenshot(path=str(shot))
    out = os.environ.get("WIJKRENO_SCREENSHOT_DIR")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(out) / name)
    return shot


@pytest.mark.parametrize(("width", "height", "name"), [
    (1366, 768, "laptop"), (768, 1024, "tablet_portrait")])
def test_search_address_and_trajectory(live_server, browser, tmp_path, width, height, name):
    page = browser.new_page(viewport={"width": width, "height": height},
                            bypass_csp=True)  # Playwright evaluates the waits with eval
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server + "/", wait_until="load")
    page.wait_for_function("window.__wijkreno && window.__wijkreno.ready", timeout=30_000)
    n = page.evaluate("window.__wijkreno.sectorFeatures")
    assert n >= 1
    legend = page.text_content("#legend")  # collapsed on narrow screens
    assert "geen gegevens" in legend and "E" in legend

    page.click("#search-input")
    page.keyboard.type("kerkstrat 5", delay=20)  # typo: one 'a' missing
    # suggestions update while typing: wait for those of the whole query, not of "kerkstrat "
    page.wait_for_function(
        "() => { const li = document.querySelector('#search-list li[role=option]');"
        " return li !== null && li.innerText.startsWith('Kerkstraat 5,'); }",
        timeout=10_000,
    )
    first = page.inner_text("#search-list li[role=option]")
    assert first.startswith("Kerkstraat 5,")
    page.click("#search-list li[role=option] >> nth=0")

    page.wait_for_function("window.__wijkreno.trajectoryLoaded", timeout=30_000)
    sidebar = page.inner_text("#sidebar")
    assert "Kerkstraat 5" in sidebar and "Renovatietraject" in sidebar
    assert page.locator("#sidebar [data-trajectory]").count() == 1
    assert page.locator("#sidebar svg rect").count() >= 2  # label-path bars
    href = page.get_attribute("#print-link", "href")
    assert href.startswith("/print/")
    # after the fly-to the dwellings of the view are drawn, coloured by label
    page.wait_for_function("window.__wijkreno.dwellingFeatures > 0", timeout=30_000)
    page.wait_for_timeout(1200)  # let the fly-to animation finish before the screenshot
    shot = _save(page, tmp_path, f"map_{name}.png")
    assert shot.stat().st_size > 10_000
    assert errors == []

    sheet = browser.new_page(viewport={"width": width, "height": height},
                            bypass_csp=True)  # Playwright evaluates the waits with eval
    sheet.goto(live_server + href)
    assert sheet.inner_text("h1").startswith("Kerkstraat 5")
    _save(sheet, tmp_path, f"print_{name}.png")
    sheet.close()
    page.close()
