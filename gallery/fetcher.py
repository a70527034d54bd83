"""Download an image from a URL a member gave us, without becoming an SSRF proxy.

The URL comes from the bookmarklet, i.e. from anyone with an account, so every step
assumes it is hostile:

* only http and https, no credentials in the URL;
* the host is resolved ONCE and every address it resolves to must be public
  (IPv4 and IPv6, with IPv4-mapped, 6to4, Teredo, NAT64 and IPv4-compatible forms
  unwrapped and checked too); the connection is then made to that checked address,
  never by name again, so a DNS answer cannot change between check and connect
  (DNS rebinding). The Host header and, for https, SNI and certificate verification
  still use the original host name;
* redirects are followed by hand, at most `GALLERY_FETCH_MAX_REDIRECTS`, each one
  going through the same checks;
* connect and read timeouts, and one total deadline that bounds every socket
  operation (connect, TLS handshake, request, status line, headers, chunk sizes,
  body), so a site sending one byte just before each read timeout cannot hold a
  worker past `GALLERY_FETCH_TOTAL_TIMEOUT`; the body is streamed with a byte cap;
* the Content-Type must be an image type we accept and agree with what Pillow finds
  after `verify()`; the pixel count is checked before any decoding (decompression
  bombs); the picture is re-encoded, which drops metadata and any trailing payload.

Every refusal is a `FetchError` subclass whose message can be shown to the member.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

# Content-Type → the format Pillow must detect.
ALLOWED_TYPES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}
# What Pillow raises on a corrupt or truncated file while decoding.
DECODE_ERRORS = (OSError, ValueError, SyntaxError, Image.DecompressionBombError)
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
CHUNK_SIZE = 64 * 1024
USER_AGENT = "MySiteGalleryFetcher/1.0 (+bookmarklet)"

# Ranges refused even if a Python version's `is_global` thinks otherwise.
BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",  # "this network", 0.0.0.0 reaches localhost on Linux
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, includes the 169.254.169.254 metadata
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, includes broadcast
        "::/128",
        "::1/128",
        "100::/64",  # discard
        "2001:db8::/32",
        "fc00::/7",  # unique local (includes AWS metadata fd00:ec2::254)
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
}
NAT64_NETWORKS = (
    ipaddress.ip_network("64:ff9b::/96"),
    ipaddress.ip_network("64:ff9b:1::/48"),
)
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class FetchError(Exception):
    """The image could not be saved; the message is meant for the member."""

    message = "The image could not be downloaded."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)


class InvalidURL(FetchError):
    message = "Enter a complete web address starting with http:// or https://."


class UnsupportedScheme(FetchError):
    message = "Only http:// and https:// addresses can be saved."


class HostNotFound(FetchError):
    message = "The site's name could not be found. Check the address."


class HostNotAllowed(FetchError):
    message = (
        "This address points to a private or local network; only images on the "
        "public web can be saved."
    )


class TooManyRedirects(FetchError):
    message = "The address redirects too many times."


class FetchTimeout(FetchError):
    message = "The site took too long to answer. Try again later."


class ConnectionFailed(FetchError):
    message = "The site could not be reached."


class BadStatus(FetchError):
    message = "The site did not return the image."


class FileTooLarge(FetchError):
    message = "The image is too large (the limit is {limit} MB)."


class UnsupportedType(FetchError):
    message = "The address is not a JPEG, PNG, GIF or WebP image."


class ContentMismatch(FetchError):
    message = "The file is not the kind of image the site says it is."


class TooManyPixels(FetchError):
    message = "The image has too many pixels (the limit is {limit} megapixels)."


@dataclass(frozen=True)
class FetchedImage:
    """A re-encoded image ready to be stored."""

    content: bytes
    format: str  # Pillow format name of `content`
    extension: str
    width: int
    height: int
    source_url: str


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # for Host, SNI and certificate checks
    port: int
    path: str  # path + query, what goes on the request line


def parse_url(url: str) -> _Target:
    """Split and validate a URL; raise InvalidURL or UnsupportedScheme."""
    url = (url or "").strip()
    if not url or len(url) > 2000 or any(ord(ch) < 33 for ch in url):
        raise InvalidURL()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL() from exc
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise UnsupportedScheme()
    if parts.username is not None or parts.password is not None:
        raise InvalidURL("Addresses with a user name or password are not accepted.")
    host = parts.hostname
    if not host:
        raise InvalidURL()
    try:
        host.encode("idna")
    except UnicodeError as exc:
        raise InvalidURL() from exc
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return _Target(
        scheme=scheme,
        host=host,
        port=port or (443 if scheme == "https" else 80),
        path=path,
    )


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address can carry (and route to)."""
    found = []
    if ip.ipv4_mapped:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour:
        found.append(ip.sixtofour)
    if ip.teredo:
        found.extend(ip.teredo)
    if any(ip in net for net in NAT64_NETWORKS) or ip in IPV4_COMPATIBLE:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def address_is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True when `ip` and every IPv4 address embedded in it are on the public web."""
    candidates = [ip]
    if ip.version == 6:
        if ip.scope_id:
            return False
        if ip in NAT64_NETWORKS[0]:
            # The well-known NAT64 gateway connects to the embedded IPv4 address:
            # judge that one (the prefix sits in a range Python calls "reserved").
            # The local-use prefix 64:ff9b:1::/48 stays refused as private.
            candidates = []
        candidates.extend(_embedded_ipv4(ip))
    for candidate in candidates:
        if candidate in METADATA_ADDRESSES:
            return False
        if (
            not candidate.is_global
            or candidate.is_loopback
            or candidate.is_private
            or candidate.is_link_local
            or candidate.is_multicast
            or candidate.is_reserved
            or candidate.is_unspecified
            or any(
                candidate.version == net.version and candidate in net
                for net in BLOCKED_NETWORKS
            )
        ):
            return False
    return True


def _loopback_allowed(ip, port: int, allow_loopback_ports) -> bool:
    # Plain loopback only (127/8, ::1); mapped or tunnelled forms never qualify.
    plain = (
        ip in ipaddress.ip_network("127.0.0.0/8")
        if ip.version == 4
        else ip == ipaddress.IPv6Address("::1")
    )
    return plain and port in allow_loopback_ports


def resolve_checked(target: _Target, *, allow_loopback_ports=()) -> list[str]:
    """Resolve the host once and return its addresses, all of them checked.

    One bad address refuses the whole host: a name that answers with both a public
    and a private address is an attack, not a mirror.
    """
    try:
        infos = socket.getaddrinfo(
            target.host, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except (socket.gaierror, UnicodeError) as exc:
        raise HostNotFound() from exc
    addresses = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        raw = sockaddr[0]
        if "%" in raw or (len(sockaddr) > 3 and sockaddr[3]):
            raise HostNotAllowed()  # scoped (interface-bound) IPv6 address
        try:
            ip = ipaddress.ip_address(raw)
        except ValueError as exc:
            raise HostNotAllowed() from exc
        if not (
            address_is_public(ip)
            or _loopback_allowed(ip, target.port, allow_loopback_ports)
        ):
            logger.warning(
                "Refused to fetch from %s: it resolves to %s", target.host, ip
            )
            raise HostNotAllowed()
        if str(ip) not in addresses:
            addresses.append(str(ip))
    if not addresses:
        raise HostNotFound()
    return addresses


def _time_left(deadline: float, cap: float) -> float:
    """The timeout for the next socket operation: `cap`, or less near the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the total download time is over")
    return min(cap, left)


class _DeadlineSocket:
    """A connected (TLS) socket whose every send and receive ends by `deadline`.

    http.client reads the status line, the headers and each chunk size line with
    many receives inside one call, so a per-receive timeout alone never fires for a
    site that trickles them. Here each receive gets min(read timeout, time left) and
    none starts after the deadline. Only what http.client uses is provided; as with
    a plain socket, closing the connection while the response still reads leaves
    the socket open until the response is closed too.
    """

    def __init__(self, sock, *, deadline: float, read_timeout: float):
        self._sock = sock
        self._deadline = deadline
        self._read_timeout = read_timeout
        self._readers = 0
        self._closed = False

    def _arm(self) -> None:
        self._sock.settimeout(_time_left(self._deadline, self._read_timeout))

    def sendall(self, data) -> None:
        self._arm()  # sendall's timeout covers the whole call
        self._sock.sendall(data)

    def recv_into(self, buffer) -> int:
        self._arm()
        return self._sock.recv_into(buffer)

    def makefile(self, mode="rb", *args, **kwargs):
        if mode != "rb":
            raise ValueError("only binary reading is supported")
        self._readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def reader_closed(self) -> None:
        self._readers -= 1
        if self._closed and self._readers <= 0:
            self._sock.close()

    def close(self) -> None:
        self._closed = True
        if self._readers <= 0:
            self._sock.close()


class _DeadlineReader(io.RawIOBase):
    """The raw stream under http.client's buffered reader: every read is a
    deadline-bound receive."""

    def __init__(self, sock: _DeadlineSocket):
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        return self._sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._sock.reader_closed()
        super().close()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a pre-checked IP; Host still names the original host."""

    def __init__(self, host, port, *, ip, connect_timeout, read_timeout, deadline):
        super().__init__(host, port, timeout=connect_timeout)
        self._ip = ip
        self._read_timeout = read_timeout
        self._deadline = deadline

    def _open_socket(self):
        sock = socket.create_connection(
            (self._ip, self.port), _time_left(self._deadline, self.timeout)
        )
        try:
            sock.settimeout(_time_left(self._deadline, self._read_timeout))
        except BaseException:
            sock.close()
            raise
        return sock

    def _wrap(self, sock) -> _DeadlineSocket:
        return _DeadlineSocket(
            sock, deadline=self._deadline, read_timeout=self._read_timeout
        )

    def connect(self):
        self.sock = self._wrap(self._open_socket())


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """An HTTPS connection to a pre-checked IP, verifying the original host's
    certificate (SNI and hostname check use the name, not the IP). The handshake
    runs under the socket's timeout, set from the deadline, as a whole."""

    default_port = http.client.HTTPS_PORT

    def __init__(self, host, port, **kwargs):
        super().__init__(host, port, **kwargs)
        self._context = ssl.create_default_context()

    def connect(self):
        sock = self._open_socket()
        try:
            tls = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.sock = self._wrap(tls)


def _open(target: _Target, ip: str, *, connect_timeout, read_timeout, deadline):
    cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    conn = cls(
        target.host,
        target.port,
        ip=ip,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        deadline=deadline,
    )
    try:
        conn.request(
            "GET",
            target.path,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": ", ".join(ALLOWED_TYPES),
                "Accept-Encoding": "identity",
                "Connection": "close",
            },
        )
        return conn, conn.getresponse()
    except BaseException:
        conn.close()  # a timeout or refusal mid-request leaves no socket open
        raise


def _request(target, addresses, *, connect_timeout, read_timeout, deadline):
    """Try the checked addresses in order; return (connection, response)."""
    last_error: Exception | None = None
    for ip in addresses:
        try:
            return _open(
                target,
                ip,
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                deadline=deadline,
            )
        except TimeoutError as exc:
            last_error = FetchTimeout()
            last_error.__cause__ = exc
        except ssl.SSLError as exc:
            raise ConnectionFailed(
                "The site's secure connection could not be verified."
            ) from exc
        except (OSError, http.client.HTTPException) as exc:
            last_error = ConnectionFailed()
            last_error.__cause__ = exc
    raise last_error or ConnectionFailed()


def _read_capped(response, *, max_bytes: int) -> bytes:
    """Stream the body under the byte cap (the socket enforces the deadline)."""
    limit_mb = max_bytes // (1024 * 1024)
    declared = response.getheader("Content-Length")
    if declared is not None:
        try:
            if int(declared) > max_bytes:
                raise FileTooLarge(FileTooLarge.message.format(limit=limit_mb))
        except ValueError:
            pass  # nonsense header: the streaming cap below still applies
    buffer = io.BytesIO()
    while True:
        try:
            chunk = response.read1(CHUNK_SIZE)
        except TimeoutError as exc:
            raise FetchTimeout() from exc
        except (OSError, http.client.HTTPException) as exc:
            raise ConnectionFailed() from exc
        if not chunk:
            break
        buffer.write(chunk)
        if buffer.tell() > max_bytes:
            raise FileTooLarge(FileTooLarge.message.format(limit=limit_mb))
    return buffer.getvalue()


def download(url: str, *, allow_loopback_ports=None) -> tuple[bytes, str, str]:
    """Fetch `url` under every network rule; return (body, content type, final URL)."""
    if allow_loopback_ports is None:
        allow_loopback_ports = settings.GALLERY_FETCH_ALLOW_LOOPBACK_PORTS
    allow_loopback_ports = frozenset(int(p) for p in allow_loopback_ports)
    max_redirects = settings.GALLERY_FETCH_MAX_REDIRECTS
    deadline = time.monotonic() + settings.GALLERY_FETCH_TOTAL_TIMEOUT
    current = url
    for _hop in range(max_redirects + 1):
        target = parse_url(current)
        addresses = resolve_checked(target, allow_loopback_ports=allow_loopback_ports)
        conn, response = _request(
            target,
            addresses,
            connect_timeout=settings.GALLERY_FETCH_CONNECT_TIMEOUT,
            read_timeout=settings.GALLERY_FETCH_READ_TIMEOUT,
            deadline=deadline,
        )
        try:
            if response.status in REDIRECT_STATUSES:
                location = response.getheader("Location")
                if not location:
                    raise BadStatus()
                current = urljoin(current, location.strip())
                continue
            if response.status != 200:
                raise BadStatus(
                    f"The site answered with an error ({response.status}) instead "
                    "of the image."
                )
            content_type = (
                (response.getheader("Content-Type") or "")
                .split(";", 1)[0]
                .strip()
                .lower()
            )
            if content_type not in ALLOWED_TYPES:
                raise UnsupportedType()
            body = _read_capped(response, max_bytes=settings.GALLERY_FETCH_MAX_BYTES)
            return body, content_type, current
        finally:
            # With "Connection: close" the response owns the socket: close both.
            response.close()
            conn.close()
    raise TooManyRedirects()


def inspect_and_reencode(body: bytes, content_type: str, source_url: str):
    """Check the bytes really are the announced image and re-encode them."""
    expected = ALLOWED_TYPES[content_type]
    max_pixels = settings.GALLERY_FETCH_MAX_PIXELS
    too_many = TooManyPixels(
        TooManyPixels.message.format(limit=round(max_pixels / 1_000_000))
    )
    # Pillow refuses to open pictures over the site's limit (settings); whatever it
    # only warns about is judged by the explicit count below, before decoding.
    try:
        with Image.open(io.BytesIO(body)) as probe:
            detected = probe.format
            probe.verify()
    except Image.DecompressionBombError as exc:
        raise too_many from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ContentMismatch() from exc
    if detected != expected:
        raise ContentMismatch()
    # verify() leaves the object unusable: reopen, and check the declared size
    # BEFORE any pixel is decoded.
    try:
        picture = Image.open(io.BytesIO(body))
    except Image.DecompressionBombError as exc:
        raise too_many from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ContentMismatch() from exc
    with picture:
        width, height = picture.size
        if width < 1 or height < 1 or width * height > max_pixels:
            raise too_many
        try:
            content, fmt, ext, (width, height) = _reencode(picture, expected)
        except DECODE_ERRORS as e:
            raise ContentMismatch("The image is damaged and could not be read.") from e
    return FetchedImage(
        content=content,
        format=fmt,
        extension=ext,
        width=width,
        height=height,
        source_url=source_url,
    )


def _reencode(picture, expected: str) -> tuple[bytes, str, str, tuple[int, int]]:
    """Decode the first frame and save it afresh, without EXIF, ICC or comments."""
    picture.seek(0)  # first frame only for animations
    picture.load()
    out = io.BytesIO()
    if expected == "JPEG":
        picture = ImageOps.exif_transpose(picture)  # keep the visible orientation
        picture.convert("RGB").save(out, format="JPEG", quality=88)
        fmt, ext = "JPEG", "jpg"
    elif expected == "WEBP":
        picture.convert("RGBA").save(out, format="WEBP", quality=88)
        fmt, ext = "WEBP", "webp"
    else:  # PNG, and GIF's first frame as PNG
        mode = "RGBA" if picture.mode in {"RGBA", "LA", "P", "PA"} else "RGB"
        picture.convert(mode).save(out, format="PNG", optimize=True)
        fmt, ext = "PNG", "png"
    return out.getvalue(), fmt, ext, picture.size


def fetch_image(url: str, *, allow_loopback_ports=None) -> FetchedImage:
    """Download, check and re-encode the image at `url`; raise FetchError if not."""
    body, content_type, final_url = download(
        url, allow_loopback_ports=allow_loopback_ports
    )
    return inspect_and_reencode(body, content_type, final_url)
