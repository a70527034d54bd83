"""Gallery fixtures: real local HTTP servers standing in for outside web sites, and
cleanup of the Redis keys the view counters use."""

import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from gallery import counters


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        self.server.hits.append(self.path)
        route = self.server.routes.get(self.path)
        try:
            if route is None:
                self.send_error(404)
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the fetcher hung up on purpose (size cap, timeout)

    def log_message(self, *args):
        pass


class FixtureServer(ThreadingHTTPServer):
    """An outside web site on 127.0.0.1 with routes path → handler(request)."""

    daemon_threads = True
    block_on_close = False

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = {}
        self.hits = []

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def reply(body: bytes, content_type: str, *, status=200, headers=None, length=True):
    def handler(request):
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        if length is True:
            request.send_header("Content-Length", str(len(body)))
        elif length:
            request.send_header("Content-Length", str(length))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(body)

    return handler


def redirect(location: str, status=302):
    return reply(b"", "text/plain", status=status, headers={"Location": location})


def slow(seconds: float):
    def handler(request):
        time.sleep(seconds)
        reply(picture("PNG"), "image/png")(request)

    return handler


def trickle(interval: float, count: int):
    """Headers at once, then one byte every `interval` seconds."""

    def handler(request):
        request.send_response(200)
        request.send_header("Content-Type", "image/png")
        request.end_headers()
        for _ in range(count):
            request.wfile.write(b"x")
            request.wfile.flush()
            time.sleep(interval)

    return handler


def picture(fmt: str, size=(320, 240), **save_kwargs) -> bytes:
    out = io.BytesIO()
    mode = "RGB" if fmt in {"JPEG"} else "RGBA"
    Image.new(mode, size, (200, 80, 40, 255)).save(out, format=fmt, **save_kwargs)
    return out.getvalue()


def _start() -> FixtureServer:
    server = FixtureServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def site_server():
    server = _start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def other_server():
    """A second local site, never allowed: proves refusals are by policy."""
    server = _start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_site(settings, site_server):
    """Let the fetcher reach the fixture site (and only it) on loopback."""
    settings.GALLERY_FETCH_ALLOW_LOOPBACK_PORTS = [site_server.port]
    return site_server


def _clean_counter_keys():
    counters.clear()


@pytest.fixture(autouse=True)
def _clean_redis_counters(settings):
    settings.GALLERY_REDIS_URL = ""
    _clean_counter_keys()
    yield
    settings.GALLERY_REDIS_URL = ""
    _clean_counter_keys()
