"""Driving `wrk` and reading its `--latency` report.

Every run goes through a generated Lua script so that any target can set its method,
body, headers and cookies the same way (GET pages, an add-to-cart POST with a CSRF
token, logged-in pages with a session cookie). The script also counts the page cache's
`X-Page-Cache: hit|miss` response headers in wrk's own `response()` callback (client
side: the server does no extra work) and prints them after the report.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

# wrk prints durations with these suffixes (src/units.c); values are scaled to ms.
_TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_NUMBER_SUFFIX = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}
PAGE_CACHE_LINE = "page-cache:"

# Counts X-Page-Cache per thread; done() (main state, after the run) prints the sums.
_COUNT_PAGE_CACHE = f"""\
local threads = {{}}
page_cache_hit, page_cache_miss, page_cache_none = 0, 0, 0
setup = function(thread)
  table.insert(threads, thread)
end
response = function(status, headers, body)
  local state = headers["X-Page-Cache"] or headers["x-page-cache"]
  if state == "hit" then
    page_cache_hit = page_cache_hit + 1
  elseif state == "miss" then
    page_cache_miss = page_cache_miss + 1
  else
    page_cache_none = page_cache_none + 1
  end
end
done = function(summary, latency, requests)
  local hit, miss, none = 0, 0, 0
  for _, thread in ipairs(threads) do
    hit = hit + thread:get("page_cache_hit")
    miss = miss + thread:get("page_cache_miss")
    none = none + thread:get("page_cache_none")
  end
  local line = "{PAGE_CACHE_LINE} hit %d miss %d none %d\\n"
  io.write(string.format(line, hit, miss, none))
end
"""


class WrkError(Exception):
    """wrk is missing, failed, or printed something we cannot read."""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    requests_per_s: float
    latency_avg_ms: float
    latency_ms: dict[int, float]  # percentile (50, 75, 90, 99) -> milliseconds
    non_2xx_3xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    # Responses by X-Page-Cache header: {"hit": n, "miss": n, "none": n}; None when
    # the script did not count them.
    page_cache: dict[str, int] | None = None

    @property
    def p50_ms(self) -> float:
        return self.latency_ms[50]

    @property
    def p99_ms(self) -> float:
        return self.latency_ms[99]

    @property
    def errors(self) -> int:
        """Responses that were not 2xx/3xx plus socket errors of any kind."""
        return self.non_2xx_3xx + sum(self.socket_errors.values())

    @property
    def cache_hits(self) -> int:
        return (self.page_cache or {}).get("hit", 0)

    @property
    def cache_responses(self) -> int:
        return sum((self.page_cache or {}).values())


def _time_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise WrkError(f"unreadable wrk duration {text!r}")
    return float(match[1]) * _TIME_UNITS_MS[match[2]]


def parse_wrk_output(text: str) -> WrkResult:
    """Read the text report of `wrk --latency` (wrk 4.x)."""
    summary = re.search(r"^\s*(\d+) requests in ([\d.]+\w+),", text, re.MULTILINE)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.MULTILINE)
    avg = re.search(r"^\s*Latency\s+(\S+)\s", text, re.MULTILINE)
    if not (summary and rps and avg):
        raise WrkError(f"not a wrk --latency report:\n{text.strip()[:500]}")
    percentiles = {
        int(p): _time_ms(value)
        for p, value in re.findall(r"^\s*(\d+)%\s+(\S+)\s*$", text, re.MULTILINE)
    }
    if 50 not in percentiles or 99 not in percentiles:
        raise WrkError(
            "the wrk report has no latency distribution (run with --latency)"
        )
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    socket_errors = {}
    if sockets:
        names = ("connect", "read", "write", "timeout")
        socket_errors = {
            n: int(v) for n, v in zip(names, sockets.groups(), strict=True)
        }
    counted = re.search(
        rf"^{PAGE_CACHE_LINE} hit (\d+) miss (\d+) none (\d+)\s*$", text, re.MULTILINE
    )
    page_cache = None
    if counted:
        hit, miss, none = (int(v) for v in counted.groups())
        page_cache = {"hit": hit, "miss": miss, "none": none}
    return WrkResult(
        requests=int(summary[1]),
        duration_s=_time_ms(summary[2]) / 1000.0,
        requests_per_s=float(rps[1]),
        latency_avg_ms=_time_ms(avg[1]),
        latency_ms=percentiles,
        non_2xx_3xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=socket_errors,
        page_cache=page_cache,
    )


def lua_string(value: str) -> str:
    """A Lua string literal for any text (bodies and cookies may hold anything)."""
    out = []
    for ch in value.encode():
        if ch in (0x22, 0x5C) or ch < 0x20 or ch > 0x7E:
            out.append(f"\\{ch:03d}")
        else:
            out.append(chr(ch))
    return '"' + "".join(out) + '"'


def lua_script(
    *,
    method: str = "GET",
    body: str | None = None,
    headers: dict[str, str] | None = None,
    unique_query: str | None = None,
    count_page_cache: bool = True,
) -> str:
    """The wrk script that sends every request with this method, body and headers.

    `unique_query="__bench"` appends `?__bench=<n>` (n counting up) to every request,
    so a page cache keyed on the full URL never hits: the uncached figure (the caller
    adds the bypass header, bench.targets.CACHE_BUST_HEADER, to `headers`).
    `count_page_cache` prints the X-Page-Cache counts after wrk's report.
    """
    lines = [f"wrk.method = {lua_string(method.upper())}"]
    if body is not None:
        lines.append(f"wrk.body = {lua_string(body)}")
    for name, value in (headers or {}).items():
        lines.append(f"wrk.headers[{lua_string(name)}] = {lua_string(value)}")
    if unique_query:
        lines += [
            "local counter = 0",
            "request = function()",
            "  counter = counter + 1",
            '  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"',
            f"  local param = {lua_string(unique_query)}",
            '  return wrk.format(nil, wrk.path .. sep .. param .. "=" .. counter)',
            "end",
        ]
    if count_page_cache:
        lines.append(_COUNT_PAGE_CACHE)
    return "\n".join(lines) + "\n"


def wrk_binary() -> str:
    path = shutil.which("wrk")
    if not path:
        raise WrkError(
            "wrk is not installed: `apt-get install wrk` (make bench does it for you)."
        )
    return path


def run_wrk(
    url: str,
    *,
    seconds: float,
    connections: int,
    script: Path,
    threads: int = 1,
    timeout_s: int = 10,
) -> WrkResult:
    """Load `url` for `seconds` and return what wrk measured."""
    command = [
        wrk_binary(),
        f"--threads={threads}",
        f"--connections={max(connections, threads)}",
        f"--duration={max(1, round(seconds))}s",
        f"--timeout={timeout_s}s",
        "--latency",
        f"--script={script}",
        url,
    ]
    done = subprocess.run(  # noqa: S603 - fixed binary, our own arguments
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if done.returncode != 0:
        raise WrkError(f"wrk failed ({done.returncode}): {done.stderr.strip()[:500]}")
    return parse_wrk_output(done.stdout)
