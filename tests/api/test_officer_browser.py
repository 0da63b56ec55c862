"""Real-browser test of the officer's pages: Debian's Chromium (Playwright) against uvicorn.

As a municipal officer (administrator of the demo municipality): open the register, get sent
to the login page, log in, upload a file with a bad row, see the rejection with its reason,
correct the row in the form, see it in the list and its history, enter the inhabitants on the
LEKP page, download the report (HTML and PDF) and the Pactportaal CSV, and log out. Laptop and
tablet screenshots are saved (copied to ``$WIJKRENO_SCREENSHOT_DIR`` when set). The server and
browser fixtures are those of ``test_browser.py``.

Each page is checked with axe-core (WCAG 2 A/AA rules: labels, names, contrast, focus order)
(the vendored copy ``tests/api/vendor/axe-core/axe.min.js``, ``scripts/vendor_axe.sh``, or
``$WIJKRENO_AXE_JS``): no serious or critical violation.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from tests.api.test_browser import CHROMIUM, _save, browser, live_server  # noqa: F401

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is missing; run scripts/install_system_deps.sh (as root) to "
           "install Debian's chromium package")

OFFICER = ("ambtenaar99", "ambtenaar-99001-pass")
AXE_JS = Path(os.environ.get("WIJKRENO_AXE_JS")
              or Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js")
HEAD = "adres_id;maatregel;datum_uitvoering;collectief_project;fossielvrij;premie_eur;opmerking"


@pytest.fixture(scope="module")
def officer(settings, users):
    from wijkreno.users import UserStore

    store = UserStore(settings.effective_users_db())
    try:
        if store.get_user(OFFICER[0]) is None:
            store.add_user(OFFICER[0], OFFICER[1], {"99001": "admin"})
    finally:
        store.close()
    return OFFICER


def _upload_file(tmp_path: Path, workspace_dir: Path) -> tuple[Path, str]:
    dw = pd.read_parquet(workspace_dir / "twin" / "dwellings.parquet", columns=["adres_id"])
    good, bad = (str(a) for a in dw["adres_id"].iloc[10:12])
    path = tmp_path / "renovaties_2023.csv"
    path.write_text("\n".join([
        HEAD,
        f"{good};dakisolatie;2023-05-02;Klimaattafel browser;nee;1.100,00;",
        f"{bad};dakisolatie-xl;2023-05-03;Klimaattafel browser;nee;1.200,00;tikfout maatregel",
    ]) + "\n", encoding="utf-8")
    return path, bad


def _axe(page, checked: list[str]) -> None:
    """No serious or critical axe-core violation on the page."""
    assert AXE_JS.is_file(), f"{AXE_JS} missing: run scripts/vendor_axe.sh"
    page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, n: v.nodes.length,"
        " where: v.nodes.slice(0, 3).map(x => x.target.join(' '))}))")
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{page.url}: {bad}"
    checked.append(page.url)


def _reset_inhabitants(page, base: str) -> None:
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "wijkreno_csrf")
    r = page.request.put(f"{base}/api/officer/99001/municipality",
                         data={"inhabitants": None}, headers={"X-CSRF-Token": csrf})
    assert r.ok, r.text()


def test_officer_upload_correct_report_logout(live_server, browser, officer, workspace_dir,  # noqa: F811
                                              tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 768},
                                  accept_downloads=True,
                                  bypass_csp=True)  # Playwright evaluates the waits with eval
    page = context.new_page()
    errors: list[str] = []
    checked: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    missing: list[str] = []  # every request the browser makes answers (the favicon too)
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)

    # the register asks for a login first, and comes back after it
    page.goto(live_server + "/officer/99001/register")
    assert page.url.startswith(live_server + "/login?next=")
    _save(page, tmp_path, "officer_login_laptop.png")
    _axe(page, checked)
    page.fill("#username", OFFICER[0])
    page.fill("#password", "wrong password here")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#login-error:not([hidden])")
    assert "onjuist" in page.inner_text("#login-error")
    page.fill("#password", OFFICER[1])
    page.click("#login-form button[type=submit]")
    page.wait_for_url(live_server + "/officer/99001/register")
    page.wait_for_function("window.__officer && window.__officer.ready", timeout=30_000)
    assert "Demowijk" in page.inner_text("h1")

    # upload a file with a bad row
    path, bad_address = _upload_file(tmp_path, workspace_dir)
    page.set_input_files("#upload-file", str(path))
    page.click("#upload-button")
    page.wait_for_function("window.__officer.uploaded === true", timeout=60_000)
    result = page.inner_text("#upload-result")
    assert "1 aanvaard" in result and "1 geweigerd" in result
    assert "onbekende maatregel 'dakisolatie-xl'" in result
    _save(page, tmp_path, "officer_upload_result_laptop.png")
    _axe(page, checked)

    # correct it in the form: the bad measure is marked and shown as it was in the file
    page.click("[data-correct='3']")
    page.wait_for_selector("#row-dialog[open]")
    assert "dakisolatie-xl" in page.inner_text("#row-fields")
    assert page.input_value("[data-header='adres_id']") == bad_address
    _save(page, tmp_path, "officer_correct_form_laptop.png")
    _axe(page, checked)
    page.select_option("select[data-header='maatregel']", "roof_insulation")
    # a street typed in the form, then the address picked in 'Zoek het adres': the pick
    # replaces the street (left, it would locate the row again and fail)
    dw = pd.read_parquet(workspace_dir / "twin" / "dwellings.parquet",
                         columns=["adres_id", "street", "house_number"])
    hit = dw[dw["adres_id"].astype(str) == bad_address].iloc[0]
    page.fill("[data-header='straat']", "Nergensstraat")
    page.fill("#rf-find", f"{hit['street']} {hit['house_number']}")
    page.wait_for_selector("#rf-found button[data-adres]", timeout=30_000)
    page.click("#rf-found button[data-adres] >> nth=0")
    assert page.input_value("[data-header='straat']") == ""
    assert page.input_value("[data-header='adres_id']") != ""
    page.click("#row-save")
    page.wait_for_function("window.__officer.corrected !== undefined", timeout=60_000)
    new_id = page.evaluate("window.__officer.corrected")
    page.wait_for_selector("#row-dialog", state="hidden", timeout=10_000)
    row = page.locator(f"#rows-table tr[data-row-id='{new_id}']")
    assert row.count() == 1 and "dakisolatie" in row.inner_text().lower()
    corrected = page.inner_text("#upload-result tr[data-result-row='3']")
    assert "aanvaard" in corrected and "onbekende maatregel" not in corrected
    # the list shows the located address with the municipality, no empty address-part columns
    assert "Demowijk" in row.inner_text()
    heads = page.inner_text("#rows-table thead").lower()
    assert "straat" not in heads and "postcode" not in heads

    # filter the list and open the row's history
    page.fill("#filter-input", "tikfout")
    page.wait_for_function("document.querySelector('#rows-count').textContent.startsWith('1 ')")
    page.click(f"#rows-table tr[data-row-id='{new_id}'] [data-history]")
    page.wait_for_selector("#history-body table")
    history = page.inner_text("#history-body")
    assert OFFICER[0] in history and "formulier_rij_3.csv" in history
    _save(page, tmp_path, "officer_history_laptop.png")
    page.click("#history-close")

    # LEKP: the inhabitants are missing in the demo's tables; the admin enters them
    page.click("nav.main-nav >> text=LEKP")
    page.wait_for_function("window.__officer && window.__officer.ready", timeout=60_000)
    try:
        assert "Demowijk" in page.inner_text("h1")
        facts = page.inner_text("#facts-list")
        assert "gebouwenpark" in facts and "Statbel" in facts
        if page.locator("#missing-note:not([hidden])").count():
            page.fill("#f-inhabitants", "1250")
            page.click("#facts-save")
            page.wait_for_selector("#facts-ok:has-text('Opgeslagen')")
            page.wait_for_function(
                "!document.querySelector('#report-pdf').classList.contains('disabled')")
        assert "1.250" in page.inner_text("#facts-list")
        page.click("tbody.goal >> nth=0 >> button.expand")
        assert page.locator("tr.detail:not([hidden])").count() == 1
        _save(page, tmp_path, "officer_lekp_laptop.png")
        _axe(page, checked)

        with page.expect_download(timeout=120_000) as pdf:
            page.click("#report-pdf")
        assert Path(pdf.value.path()).read_bytes()[:4] == b"%PDF"
        html = page.request.get(live_server + page.get_attribute("#report-html", "href"))
        assert html.ok and "LEKP-voortgangsrapport" in html.text() and "Demowijk" in html.text()
        with page.expect_download() as export:
            page.click("#export-csv")
        text = Path(export.value.path()).read_text(encoding="utf-8-sig")
        assert text.splitlines()[0].startswith("nis_code;gemeente;pact;")

        # tablet in portrait: the same pages stack
        page.set_viewport_size({"width": 768, "height": 1024})
        page.wait_for_timeout(300)
        _save(page, tmp_path, "officer_lekp_tablet.png")
        page.goto(live_server + "/officer/99001/register?lang=en")
        page.wait_for_function("window.__officer && window.__officer.ready", timeout=30_000)
        assert "Register of realisations" in page.inner_text("h1")
        _save(page, tmp_path, "officer_register_tablet_en.png")
        # the goals' titles in English too (lekp_goals.toml title_en), table and checklist
        page.goto(live_server + "/officer/99001/lekp?lang=en")
        page.wait_for_function("window.__officer && window.__officer.ready", timeout=60_000)
        goals = page.inner_text("#goals-table")
        assert "Charging points" in goals and "Collective energy-saving renovations" in goals
        assert "Laadpunten" not in goals and "Klimaattafels:" not in goals
        assert "Charging points" in page.inner_text("#checklist-list")
        # units and where the counts come from in English too
        assert "renovation equivalents" in goals and "renovatie-equivalenten" not in goals
        facts = page.inner_text("#facts-list")
        assert f"entered by {OFFICER[0]} on the LEKP page" in facts
        assert "ingegeven" not in facts and "schatting" not in facts
        _save(page, tmp_path, "officer_lekp_tablet_en.png")
        page.goto(live_server + "/officer/99001/register?lang=nl")
    finally:
        _reset_inhabitants(page, live_server)

    # log out: the session ends, the pages ask for a login again
    page.click("#logout-link")
    page.wait_for_function("window.__officer && window.__officer.loggedOut === true")
    assert "afgemeld" in page.inner_text("#logout-status")
    _axe(page, checked)
    page.goto(live_server + "/officer")
    assert page.url.startswith(live_server + "/login")
    assert errors == []
    assert missing == []
    assert page.request.get(live_server + "/favicon.ico").ok
    assert len(checked) in (0, 5)
    context.close()
