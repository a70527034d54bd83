"""Against a live server: uncached rows really bypass the page cache, and wrk's Lua
callback really counts the X-Page-Cache headers."""

import shutil
import urllib.request

import pytest

from bench.targets import CACHE_BUST_HEADER, CACHE_BUST_PARAM
from bench.wrk import lua_script, run_wrk


def page_cache_state(url: str, headers: dict[str, str] | None = None) -> str | None:
    request = urllib.request.Request(
        url, headers={"Host": "127.0.0.1", **(headers or {})}
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
        return response.headers.get("X-Page-Cache")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_uncached_request_is_never_a_page_cache_hit(live_server):
    home = f"{live_server.url}/"
    # The page is cacheable and gets cached (a first render may save something, a
    # rendition, that invalidates once): the check below means something.
    states = [page_cache_state(home) for _ in range(4)]
    assert states[-1] == "hit", states

    busted = f"{home}?{CACHE_BUST_PARAM}=1"
    states = [page_cache_state(busted, {CACHE_BUST_HEADER: "1"}) for _ in range(2)]

    # Neither answered from the cache (the same unique URL twice included), whatever
    # the cache does with unknown parameters: the contract in bench/targets.py.
    assert "hit" not in states


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_wrk_counts_page_cache_headers_of_every_response(live_server, tmp_path):
    script = tmp_path / "count.lua"
    script.write_text(lua_script(headers={"Host": "127.0.0.1"}))
    busting = tmp_path / "bust.lua"
    busting.write_text(
        lua_script(
            headers={"Host": "127.0.0.1", CACHE_BUST_HEADER: "1"},
            unique_query=CACHE_BUST_PARAM,
        )
    )

    cached = run_wrk(f"{live_server.url}/", seconds=1, connections=2, script=script)
    uncached = run_wrk(f"{live_server.url}/", seconds=1, connections=2, script=busting)

    # Every response of a cacheable page carries the header, and wrk counted each.
    assert cached.page_cache is not None
    assert cached.page_cache["none"] == 0
    assert cached.cache_responses == cached.requests
    assert cached.errors == 0
    assert uncached.cache_hits == 0
    assert uncached.cache_responses == uncached.requests
