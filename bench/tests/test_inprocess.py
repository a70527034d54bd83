"""Targets are prepared in-process: queries counted, cookies and CSRF ready for wrk."""

from importlib import reload

import pytest
from django.urls import clear_url_caches

from bench.inprocess import prepare
from bench.targets import CACHE_BUST_HEADER, Target
from bench.wrk import lua_script


@pytest.mark.django_db
def test_counts_queries_of_the_steady_state_request():
    prepared = prepare(Target(name="robots", path="/robots.txt"))

    assert prepared.status == 200
    assert prepared.queries == 0
    assert prepared.headers == {"Host": "127.0.0.1"}


@pytest.mark.django_db
def test_home_page_is_served_and_its_queries_counted():
    prepared = prepare(Target(name="home", path=lambda: "/"))

    assert prepared.path == "/"
    assert prepared.status == 200
    assert prepared.queries_first >= 1  # the first render reads the database
    # Later ones come from the page cache (0 queries) or cached fragments.
    assert prepared.queries is not None
    assert prepared.queries <= prepared.queries_first


@pytest.mark.django_db
def test_logged_in_post_carries_session_cookie_and_a_valid_csrf_token():
    target = Target(
        name="search post",
        path="/search/",
        method="POST",
        body="q=home",
        login="bench-member",
        csrf=True,
    )

    prepared = prepare(target)

    # The test Client enforces CSRF like gunicorn does: 200, not 403.
    assert prepared.status == 200
    cookie = prepared.headers["Cookie"]
    assert "sessionid=" in cookie and "csrftoken=" in cookie
    assert prepared.headers["X-CSRFToken"] in cookie
    assert prepared.headers["Content-Type"] == "application/x-www-form-urlencoded"
    script = lua_script(method="POST", body="q=home", headers=prepared.headers)
    assert 'wrk.headers["X-CSRFToken"]' in script


@pytest.mark.django_db
def test_a_post_without_csrf_is_refused_in_process_too():
    prepared = prepare(
        Target(name="no csrf", path="/search/", method="POST", body="q=x")
    )

    assert prepared.status == 403


@pytest.mark.django_db
def test_bare_view_exists_only_when_bench_endpoints_are_on(client, settings):
    import mysite.urls

    assert client.get("/__bench__/bare/").status_code == 404
    settings.BENCH_ENDPOINTS = True
    try:
        reload(mysite.urls)
        clear_url_caches()
        response = client.get("/__bench__/bare/")
        assert response.status_code == 200
        assert response.content == b"bare"
    finally:
        settings.BENCH_ENDPOINTS = False
        reload(mysite.urls)
        clear_url_caches()


@pytest.mark.django_db
def test_cache_bust_requests_a_fresh_url_each_time():
    prepared = prepare(Target(name="home uncached", path="/?a=1", cache_bust=True))

    assert prepared.status == 200
    assert prepared.path == "/?a=1"
    # Rendered again every time (the page cache is bypassed), but from the shared
    # fragments the first render cached: fewer queries, never none.
    assert 1 <= prepared.queries <= prepared.queries_first
    # wrk sends the bypass header too (bench/targets.py: the cache-bust contract).
    assert prepared.headers[CACHE_BUST_HEADER] == "1"
