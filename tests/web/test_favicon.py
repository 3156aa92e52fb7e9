"""The site's icon: /favicon.ico (which browsers fetch on their own) is served by WhiteNoise from duban/root,
without a session or a login redirect; every page links it and an SVG icon, both from this site (the
Content-Security-Policy's img-src 'self')."""
import re

import pytest

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_served_at_the_root(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert b"".join(r.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert "Set-Cookie" not in r.headers and "Content-Security-Policy" in r.headers


def test_favicon_ico_even_for_a_user_who_must_change_their_password(client, liaison):
    from duban.audit.signals import MUST_CHANGE

    client.force_login(liaison)
    session = client.session
    session[MUST_CHANGE] = True
    session.save()
    assert client.get("/plans/")["Location"] == "/password/"  # every page waits for the new password …
    assert client.get("/favicon.ico").status_code == 200  # … the icon does not


def test_pages_link_the_icons_from_this_site_within_the_csp(client):
    r = client.get("/login/")
    page = r.content.decode()
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert icons == ["/favicon.ico", "/static/favicon.svg"]
    svg = client.get(icons[1])
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(svg.streaming_content)
    csp = r["Content-Security-Policy"]
    assert "img-src 'self'" in csp and "default-src 'self'" in csp
