"""Map page, print view and static files: served by the app, no external sources."""

from __future__ import annotations

import json
import re

import pytest

from api.i18n import STRINGS


def _external_sources(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']\s*((?:https?:)?//[^"']+)""", html)


def test_map_page_dutch_default(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<html lang="nl">' in html
    assert STRINGS["nl"]["search_placeholder"] in html
    assert 'src="/static/maplibre-gl/maplibre-gl.js"' in html
    assert 'href="/static/maplibre-gl/maplibre-gl.css"' in html
    assert _external_sources(html) == []  # no CDN, no tiles
    config = json.loads(re.search(r'id="wijkreno-config"[^>]*>(.*?)</script>', html, re.S)
                        .group(1))
    assert config["lang"] == "nl" and config["layers"][0]["column"] == "priority_score"
    assert config["measureNames"]["pv"] == "zonnepanelen"


def test_map_page_english_switch_remembered(app):
    from fastapi.testclient import TestClient

    client = TestClient(app)  # own cookie jar: the shared client keeps Dutch
    r = client.get("/", params={"lang": "en"})
    assert '<html lang="en">' in r.text and STRINGS["en"]["search_placeholder"] in r.text
    assert r.cookies.get("wijkreno_lang") == "en"
    again = client.get("/")  # the cookie keeps English
    assert '<html lang="en">' in again.text
    client.cookies.clear()
    assert '<html lang="nl">' in client.get("/", params={"lang": "xx"}).text


def test_languages_have_the_same_keys():
    assert set(STRINGS["nl"]) == set(STRINGS["en"])


@pytest.mark.parametrize(("path", "kind", "needle"), [
    ("/static/maplibre-gl/maplibre-gl.js", "javascript", "maplibre"),
    ("/static/maplibre-gl/maplibre-gl.css", "css", ".maplibregl-map"),
    ("/static/app/app.js", "javascript", "__wijkreno"),
    ("/static/app/app.css", "css", "#sidebar"),
])
def test_static_files(client, path, kind, needle):
    r = client.get(path)
    assert r.status_code == 200 and kind in r.headers["content-type"]
    assert needle in r.text


@pytest.mark.parametrize("path", ["/static/app/../settings.py", "/static/app/x.js",
                                  "/static/maplibre-gl/VERSION", "/static/app/%2e%2e%2fsearch.py"])
def test_static_whitelist(client, path):
    assert client.get(path).status_code == 404


def test_app_js_has_no_external_urls(client):
    js = client.get("/static/app/app.js").text
    assert re.findall(r"https?://", js) == []


def test_print_view(client):
    sugg = client.get("/api/search", params={"q": "kerkstraat 5"}).json()["suggestions"][0]
    r = client.get(f"/print/{sugg['adres_id']}")
    assert r.status_code == 200
    html = r.text
    assert "<h1>Kerkstraat 5" in html           # the klimaattafel sheet's own heading
    assert "Renovatietraject naar label" in html
    assert "<svg" in html                        # label-path chart inline
    assert "@page" in html                       # A4 print style
    assert "no-print" in html and _external_sources(html) == []


def test_print_view_unknown_address_404(client):
    r = client.get("/print/does-not-exist")
    assert r.status_code == 404
    assert "zoek" in r.json()["detail"].lower()
