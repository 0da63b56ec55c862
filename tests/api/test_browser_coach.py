"""The coach in a real browser (Debian's Chromium through Playwright) with accessibility checks.

As a renovation coach at a klimaattafel: pick a street, see its dwellings and groups, open an
address, log in, correct what the household knows, see the trajectory change, print the sheet
and the street bundle; click a sector and read why it scores. axe-core (vendored from npm under
``tests/api/vendor/axe-core/``, never from a CDN) checks every view for serious or critical
violations (labels, names, keyboard focus, contrast). Screenshots at laptop (1366 x 768) and
tablet (768 x 1024) size are copied to ``$WIJKRENO_SCREENSHOT_DIR`` when set: look at them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.test_browser import CHROMIUM, _save, browser, live_server  # noqa: F401

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is missing; run scripts/install_system_deps.sh (as root) to "
           "install Debian's chromium package")

AXE_RUN = """async () => {
  const r = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n =>
      n.target.join(' ') + ' ' + ((n.any[0] || {}).message || ''))}));
}"""


def serious_violations(page) -> list[dict]:
    """axe-core's serious and critical violations of the page as it is now."""
    assert AXE.is_file(), "tests/api/vendor/axe-core/axe.min.js missing: run scripts/vendor_axe.sh"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(AXE_RUN)
    return [v for v in found if v["impact"] in ("serious", "critical")]


def _new_page(browser, width, height):  # noqa: F811 - the imported fixture's name
    page = browser.new_page(viewport={"width": width, "height": height},
                            bypass_csp=True)  # Playwright evaluates the waits with eval
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


@pytest.mark.parametrize(("width", "height", "name", "nth"), [
    (1366, 768, "laptop", 4), (768, 1024, "tablet", 5)])
def test_coach_street_address_correction_print(live_server, browser, users,  # noqa: F811
                                               tmp_path, width, height, name, nth):
    page, errors = _new_page(browser, width, height)
    page.goto(live_server + "/", wait_until="load")
    page.wait_for_function("window.__wijkreno && window.__wijkreno.ready", timeout=30_000)
    page.wait_for_function("window.__wijkreno.totals !== null", timeout=10_000)
    assert "woningen" in page.inner_text("#totals") and "label E/F" in page.inner_text("#totals")
    assert page.locator("#sidebar #street-input").count() == 1
    _save(page, tmp_path, f"coach_home_{name}.png")
    assert serious_violations(page) == []

    # pick a street: its dwellings in house-number order and its collective groups
    page.fill("#street-input", "kerk")
    page.wait_for_function(  # the list of the query, not the first streets shown at opening
        "() => { const b = document.querySelector('#street-results button[data-street]');"
        " return b !== null && b.innerText.startsWith('Kerkstraat'); }", timeout=10_000)
    page.click("#street-results button[data-street] >> nth=0")
    page.wait_for_function("window.__wijkreno.streetLoaded === 'Kerkstraat'", timeout=10_000)
    # a page of the street first ('meer tonen' for the rest: a city street holds a thousand)
    n_street = int(page.evaluate("fetch('/api/streets/Kerkstraat').then(r => r.json())"
                                 ".then(v => v.totals.n_dwellings)"))
    first = page.locator("#sidebar table.street tbody tr").count()
    assert 5 <= first < n_street
    assert page.is_visible("#street-more")
    while page.is_visible("#street-more"):
        shown = page.locator("#sidebar table.street tbody tr").count()
        page.click("#street-more")
        page.wait_for_function(
            f"document.querySelectorAll('#sidebar table.street tbody tr').length > {shown}",
            timeout=10_000)
    n_rows = page.locator("#sidebar table.street tbody tr").count()
    assert n_rows == n_street
    assert "Collectieve groepen" in page.inner_text("#sidebar")
    assert page.get_attribute("#print-street", "href").startswith("/print/street?name=Kerkstraat")
    page.wait_for_function("window.__wijkreno.buildingFeatures > 0", timeout=30_000)
    page.wait_for_function("window.__wijkreno.streetFeatures > 0", timeout=30_000)
    page.wait_for_timeout(800)
    _save(page, tmp_path, f"coach_street_{name}.png")
    assert serious_violations(page) == []

    # open an address from the street list
    page.click(f"#sidebar table.street tbody tr >> nth={nth} >> button")
    page.wait_for_function("window.__wijkreno.trajectoryLoaded", timeout=30_000)
    assert page.locator("#sidebar [data-trajectory]").count() == 1
    before_cost = page.inner_text("[data-total-net-cost]")
    before_score = page.inner_text("[data-current-score]")

    # log in as the coach and correct what the household knows
    page.wait_for_selector("#login-form", timeout=10_000)
    page.fill("#login-user", "coach99")
    page.fill("#login-pass", users["coach99"][0])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#coach-form", timeout=10_000)
    assert page.locator("#coach-form label").count() >= 12  # every field has its label
    page.fill("#f-roof_insulated_year", "2015")
    page.fill("#f-wall_insulated_year", "2015")
    page.select_option("#f-heating_system", "heat_pump_air_water")
    page.select_option("#f-tenure", "owner")
    page.fill("#f-note", "Dak en spouw in 2015 geïsoleerd; warmtepomp sinds 2022.")
    _save(page, tmp_path, f"coach_form_{name}.png")
    assert serious_violations(page) == []
    page.click("#coach-save")
    page.wait_for_function("window.__wijkreno.overridesSaved >= 1", timeout=30_000)
    assert page.locator("#trajectory-box [data-basis=overrides]").count() == 1
    after_score = page.inner_text("[data-current-score]")
    after_cost = page.inner_text("[data-total-net-cost]")
    assert (after_score, after_cost) != (before_score, before_cost)  # the trajectory changed
    assert "Bewaard" in page.inner_text("#coach-msg")
    page.wait_for_selector("#coach-history li", timeout=10_000)
    assert "coach99" in page.inner_text("#coach-history")
    page.locator("#trajectory-box").scroll_into_view_if_needed()
    _save(page, tmp_path, f"coach_corrected_{name}.png")
    assert serious_violations(page) == []

    # the keyboard reaches the form's button and the print link
    page.focus("#coach-save")
    assert page.evaluate("document.activeElement.id") == "coach-save"

    # print the corrected sheet and the street bundle
    href = page.get_attribute("#print-link", "href")
    assert "overrides=true" in href
    sheet, sheet_errors = _new_page(browser, width, height)
    sheet.context.add_cookies(page.context.cookies())
    sheet.goto(live_server + href)
    assert sheet.inner_text("h1").startswith("Kerkstraat")
    _save(sheet, tmp_path, f"coach_print_{name}.png")
    assert serious_violations(sheet) == []
    bundle_href = "/print/street?name=Kerkstraat"
    sheet.goto(live_server + bundle_href)
    assert sheet.locator(".page.sheet").count() == n_rows
    sheet.close()
    assert errors == [] and sheet_errors == []
    page.close()


def test_sector_highlight_and_components_in_words(live_server, browser, tmp_path):  # noqa: F811
    page, errors = _new_page(browser, 1366, 768)
    page.goto(live_server + "/", wait_until="load")
    page.wait_for_function("window.__wijkreno && window.__wijkreno.ready", timeout=30_000)
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.55)
    page.wait_for_function("window.__wijkreno.selectedSector !== null", timeout=10_000)
    items = page.locator("#sidebar ul.components li")
    assert items.count() >= 3
    text = page.inner_text("#sidebar ul.components")
    assert "vergeleken gebieden" in text and "weegt" in text
    # the legend's classes never share a bound
    rows = [r for r in page.locator("#legend .row").all_inner_texts() if "–" in r]
    bounds = [r.split("–") for r in rows]
    for (_, hi), (lo, _) in zip(bounds, bounds[1:], strict=False):
        assert hi.strip() != lo.strip()
    # the legend folds away
    page.click("#controls summary")
    assert page.evaluate("document.getElementById('controls').open") is False
    page.wait_for_timeout(300)
    _save(page, tmp_path, "coach_sector_laptop.png")
    assert serious_violations(page) == []
    assert errors == []
    page.close()


CONTRAST_RUN = """async () => {
  const r = await axe.run(document, {runOnly: ['color-contrast'], resultTypes: ['violations']});
  return r.violations.flatMap(v => v.nodes.map(n =>
    n.target.join(' ') + ' ' + ((n.any[0] || {}).message || '')));
}"""


def test_printed_label_chips_have_contrast(live_server, browser):  # noqa: F811
    """The label chips and badges of the printed sheet (print.css alone, as in the PDF):
    every text at 4.5:1 or more on its EPC colour, A+ and F included."""
    page, errors = _new_page(browser, 1366, 768)
    page.goto(live_server + "/print/street?name=Kerkstraat")
    page.emulate_media(media="print")
    # the PDF knows only the sheet's own style (print.css, inline): drop the screen stylesheet
    page.evaluate("document.querySelectorAll('link[rel=stylesheet]').forEach(l => l.remove())")
    labels = page.locator(".labels span").all_inner_texts()
    assert {"A+", "F"} <= set(labels)
    page.add_script_tag(path=str(AXE))
    assert page.evaluate(CONTRAST_RUN) == []
    assert errors == []
    page.close()


def test_search_says_a_missing_house_number_above_the_nearest(live_server, browser):  # noqa: F811
    # issue 13: 'kerkstraat 500' listed 110, 108, … as if one of them were the address
    page, errors = _new_page(browser, 1366, 768)
    page.goto(live_server + "/", wait_until="load")
    page.wait_for_function("window.__wijkreno && window.__wijkreno.ready", timeout=30_000)
    page.click("#search-input")
    page.keyboard.type("kerkstraat 500", delay=20)
    page.wait_for_function("document.querySelector('#search-note') !== null", timeout=10_000)
    items = page.locator("#search-list li").all_inner_texts()
    assert items[0].startswith("Kerkstraat heeft geen huisnummer 500; dichtstbij:"), items
    assert len(items) >= 2 and items[1].startswith("Kerkstraat "), items  # the candidates below
    assert page.get_attribute("#search-note", "aria-disabled") == "true"
    # Enter still opens the first candidate, not the note
    page.keyboard.press("Enter")
    page.wait_for_function("window.__wijkreno.trajectoryLoaded", timeout=30_000)
    assert items[1].split(",")[0] in page.inner_text("#sidebar")
    # an existing number: no note
    page.fill("#search-input", "")
    page.click("#search-input")
    page.keyboard.type("kerkstraat 5", delay=20)
    page.wait_for_function(
        "() => { const li = document.querySelector('#search-list li[role=option]');"
        " return li !== null && li.innerText.startsWith('Kerkstraat 5,'); }", timeout=10_000)
    assert page.locator("#search-note").count() == 0
    assert errors == []
    page.close()


def _grouped_house(workspace_dir) -> str:
    """A dwelling of a group (apartment building or block) with a trajectory of steps."""
    import pandas as pd

    members = pd.read_parquet(workspace_dir / "groups" / "group_members.parquet",
                              columns=["dwelling_id", "group_id"])
    steps = pd.read_parquet(workspace_dir / "trajectories" / "trajectories.parquet",
                            columns=["dwelling_id", "adres_id"])
    both = steps.merge(members, on="dwelling_id")
    return str(both["adres_id"].iloc[0])


def test_address_panel_co2_heating_group_price_year_and_register(live_server, browser,  # noqa: F811
                                                                 client, workspace_dir):
    # issue 13 audit: the panel showed the standardised CO2 under 'verwacht werkelijk
    # verbruik' (the sheet the plan's); it now names the heating after the works, the
    # dwelling's group, the investment's price year and what the register says is done
    adres_id = _grouped_house(workspace_dir)
    traj = client.get(f"/api/addresses/{adres_id}/trajectory").json()
    state = client.get(f"/api/addresses/{adres_id}").json()
    first = min(traj["steps"], key=lambda s: s["step"])
    co2 = first["co2_flemish_kg_co2"] + first["cumulative_saving_co2_flemish_kg_co2"]
    assert abs(co2 - state["results"]["co2_flemish_kg_co2"]) > 1  # else the test tells nothing
    page, errors = _new_page(browser, 1366, 768)
    page.goto(f"{live_server}/#adres={adres_id}", wait_until="load")
    page.wait_for_function("window.__wijkreno && window.__wijkreno.trajectoryLoaded",
                           timeout=30_000)
    shown = page.inner_text("[data-current-co2]").replace("\u202f", "").replace(".", "")
    shown = shown.replace("\xa0", "").replace(" ", "")
    assert shown == str(round(co2)), (shown, co2)
    co2_row = page.inner_text("tr:has([data-current-co2]) th")
    assert "verwacht werkelijk verbruik" in co2_row
    heating = page.inner_text("[data-final-heating]")
    assert heating and "_" not in heating and heating != "–"
    assert page.get_attribute("[data-final-heating]", "data-final-heating") == \
        traj["summary"]["final_heating_system"]
    invest = page.inner_text("tr:has([data-investment]) th")
    assert f"in prijzen van {traj['summary']['price_year']}" in invest
    page.wait_for_function(
        "document.querySelector('#address-group') && "
        "!document.querySelector('#address-group').innerText.startsWith('Laden')",
        timeout=10_000)
    group = page.inner_text("#address-group")
    assert "woningen" in group and state["group_id"] not in group, group
    assert serious_violations(page) == []

    # the demo register's heat pump at Kerkstraat 3: said as done
    import pandas as pd

    dw = pd.read_parquet(workspace_dir / "twin" / "dwellings.parquet",
                         columns=["adres_id", "street", "house_number"])
    kerk3 = dw[(dw["street"] == "Kerkstraat") & (dw["house_number"].astype(str) == "3")]
    assert errors == []
    page.close()
    page, errors = _new_page(browser, 1366, 768)
    page.goto(f"{live_server}/#adres={kerk3['adres_id'].iloc[0]}", wait_until="load")
    page.wait_for_function("window.__wijkreno && window.__wijkreno.trajectoryLoaded",
                           timeout=30_000)
    assert "verwarming 2024" in page.inner_text("[data-done-register]")
    assert errors == []
    page.close()
