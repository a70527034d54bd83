"""wrk's report is read correctly, and the Lua script sends what the target says."""

from pathlib import Path

import pytest

from bench.wrk import WrkError, lua_script, parse_wrk_output

DATA = Path(__file__).parent / "data"


def test_reads_a_captured_report_of_the_bare_view():
    result = parse_wrk_output((DATA / "wrk_bare.txt").read_text())

    assert result.requests == 2997
    assert result.duration_s == pytest.approx(2.01)
    assert result.requests_per_s == pytest.approx(1490.41)
    assert result.latency_avg_ms == pytest.approx(5.66)
    assert result.p50_ms == pytest.approx(4.04)
    assert result.p99_ms == pytest.approx(23.37)
    assert result.latency_ms[90] == pytest.approx(10.64)
    assert result.errors == 0


def test_counts_non_2xx_responses_as_errors():
    result = parse_wrk_output((DATA / "wrk_notfound.txt").read_text())

    assert result.non_2xx_3xx == 304
    assert result.errors == 304
    assert result.p99_ms == pytest.approx(340.88)


def test_converts_microseconds_seconds_and_minutes_and_socket_errors():
    result = parse_wrk_output((DATA / "wrk_errors.txt").read_text())

    assert result.duration_s == pytest.approx(60.0)
    assert result.latency_avg_ms == pytest.approx(0.812)
    assert result.p50_ms == pytest.approx(0.64)
    assert result.p99_ms == pytest.approx(1020.0)
    assert result.socket_errors == {"connect": 0, "read": 12, "write": 1, "timeout": 3}
    assert result.errors == 20 + 16


def test_a_report_without_latency_distribution_is_refused():
    text = (DATA / "wrk_bare.txt").read_text()
    without = "\n".join(line for line in text.splitlines() if "%  " not in line)

    with pytest.raises(WrkError, match="--latency"):
        parse_wrk_output(without)


def test_something_else_than_a_wrk_report_is_refused():
    with pytest.raises(WrkError, match="not a wrk"):
        parse_wrk_output("wrk: unable to connect to 127.0.0.1:1 Connection refused")


def test_lua_script_escapes_any_value():
    script = lua_script(
        method="post",
        body='a="1"&b=\\x\n',
        headers={"Cookie": "sessionid=abc; cart=é"},
    )

    assert 'wrk.method = "POST"' in script
    # Three-digit decimal escapes, so a following digit is never swallowed.
    assert 'wrk.body = "a=\\0341\\034&b=\\092x\\010"' in script
    assert 'wrk.headers["Cookie"] = "sessionid=abc; cart=\\195\\169"' in script


def test_lua_script_can_make_every_url_unique_to_defeat_a_page_cache():
    script = lua_script(unique_query="__bench")

    assert "request = function()" in script
    assert '"__bench"' in script
    assert "wrk.format(nil, wrk.path .. sep" in script
    assert "request = function" not in lua_script()


def test_reads_the_page_cache_counts_the_script_prints_after_the_report():
    text = (DATA / "wrk_bare.txt").read_text() + "page-cache: hit 2990 miss 7 none 0\n"

    result = parse_wrk_output(text)

    assert result.page_cache == {"hit": 2990, "miss": 7, "none": 0}
    assert result.cache_hits == 2990
    assert result.cache_responses == 2997
    # A report without the line (an older script) has no counts, not zeros.
    assert parse_wrk_output((DATA / "wrk_bare.txt").read_text()).page_cache is None


def test_lua_script_counts_x_page_cache_on_the_client_side_only_when_asked():
    counting = lua_script()

    assert "response = function(status, headers, body)" in counting
    assert 'headers["X-Page-Cache"]' in counting
    assert 'thread:get("page_cache_hit")' in counting
    assert "page-cache: hit %d miss %d none %d" in counting
    assert "response = function" not in lua_script(count_page_cache=False)
