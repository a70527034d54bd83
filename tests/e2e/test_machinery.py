"""The journeys' safety net catches what it promises to: outside requests, script
errors and inaccessible markup (each provoked on purpose on a page of our own)."""

import pytest
from playwright.sync_api import expect

from .helpers import assert_accessible, axe_violations

pytestmark = pytest.mark.e2e

PIXEL = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe"
    b"\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_requests_to_other_sites_are_blocked_and_reported(
    page, page_watch, local_pages
):
    # A page without our Content-Security-Policy, which would refuse these first.
    url = local_pages.add(
        "/leaky.html",
        '<img src="https://cdn.example.com/logo.png" alt="logo">'
        '<script src="http://203.0.113.9/tracker.js"></script>',
    )
    page.goto(url)

    problems = page_watch.take_problems()
    outside = sorted(p for p in problems if p.startswith("request to outside"))
    assert outside == [
        "request to outside the site (blocked): GET http://203.0.113.9/tracker.js",
        "request to outside the site (blocked): GET https://cdn.example.com/logo.png",
    ]


def test_our_pages_refuse_outside_resources_themselves(page, page_watch):
    page.goto("/healthz/")
    page.set_content('<img src="https://cdn.example.com/logo.png" alt="logo">')

    problems = page_watch.take_problems()
    assert any("Content Security Policy" in p for p in problems), problems


def test_an_inline_script_on_a_public_page_is_refused_and_reported(page, page_watch):
    """Public pages allow scripts from our own files only: an injected inline script
    or event handler does not run, and the journey sees the violation."""
    page.goto("/account/login/")
    page.set_content(
        "<script>window.inlineRan = true</script>"
        '<img src="/static/img/favicon.svg" alt="" onload="window.handlerRan = true">'
    )
    page.wait_for_load_state("load")
    assert page.evaluate("window.inlineRan === undefined")
    assert page.evaluate("window.handlerRan === undefined")

    problems = page_watch.take_problems()
    csp = [p for p in problems if p.startswith("CSP violation")]
    assert any("inline script" in p and "script-src 'self'" in p for p in csp), problems
    assert any("inline event handler" in p for p in csp), problems


def test_script_errors_and_console_errors_are_reported(page, page_watch):
    page.goto("/healthz/")
    page.evaluate("console.error('something broke')")
    page.evaluate("setTimeout(() => { throw new Error('uncaught boom') }, 0)")
    page.wait_for_timeout(100)  # let the timer fire; nothing to wait for instead

    problems = page_watch.take_problems()
    assert any("console error" in p and "something broke" in p for p in problems)
    assert any(
        "uncaught JavaScript error" in p and "uncaught boom" in p for p in problems
    )


def test_a_page_on_another_local_server_loads_once_allowed(page, local_pages):
    url = local_pages.add(
        "/gallery.html",
        '<!DOCTYPE html><html lang="en"><title>Pictures</title><main>'
        '<h1>Pictures</h1><img src="/dot.png" alt="A dot" width="40" height="40">'
        "</main></html>",
    )
    local_pages.add("/dot.png", PIXEL, content_type="image/png")

    page.goto(url)
    expect(page.get_by_role("heading", name="Pictures")).to_be_visible()
    expect(page.get_by_role("img", name="A dot")).to_have_js_property("naturalWidth", 1)
    assert_accessible(page, "local page")


def test_serious_accessibility_violations_fail_the_check(page, local_pages):
    local_pages.add("/dot.png", PIXEL, content_type="image/png")
    page.goto(local_pages.add("/bad.html", '<html><img src="/dot.png"></html>'))
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "html-has-lang"} <= found

    with pytest.raises(AssertionError, match=r"\[critical\] image-alt"):
        assert_accessible(page, "bad page")
