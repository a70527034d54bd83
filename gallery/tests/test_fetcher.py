"""The hardened image fetcher against real local HTTP servers.

Private-address tests run with the default policy (loopback refused); only the tests
that need a working site allow the fixture server's own port.
"""

import io
import ipaddress
import zlib

import pytest
from PIL import Image

from gallery import fetcher

from .conftest import picture, redirect, reply, slow, trickle


def png_declaring(width: int, height: int) -> bytes:
    """A valid tiny PNG whose header claims `width` × `height` (a pixel bomb)."""
    data = picture("PNG", size=(1, 1))
    ihdr = bytearray(data[16:29])
    ihdr[0:4] = width.to_bytes(4, "big")
    ihdr[4:8] = height.to_bytes(4, "big")
    crc = zlib.crc32(b"IHDR" + bytes(ihdr)).to_bytes(4, "big")
    return data[:16] + bytes(ihdr) + crc + data[33:]


# --- The happy path ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type", "expected"),
    [
        ("JPEG", "image/jpeg", "JPEG"),
        ("PNG", "image/png", "PNG"),
        ("GIF", "image/gif", "PNG"),
        ("WEBP", "image/webp", "WEBP"),
    ],
)
def test_fetches_and_reencodes_an_image(allow_site, fmt, content_type, expected):
    allow_site.routes["/pic"] = reply(picture(fmt), content_type)
    fetched = fetcher.fetch_image(allow_site.url("/pic"))
    assert fetched.format == expected
    assert (fetched.width, fetched.height) == (320, 240)
    with Image.open(io.BytesIO(fetched.content)) as result:
        assert result.format == expected


def test_reencoding_strips_metadata(allow_site):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "leaky software"
    original = picture("JPEG", exif=exif.tobytes())
    assert b"SecretCam" in original
    allow_site.routes["/exif.jpg"] = reply(original + b"TRAILING", "image/jpeg")
    fetched = fetcher.fetch_image(allow_site.url("/exif.jpg"))
    assert b"SecretCam" not in fetched.content
    assert b"TRAILING" not in fetched.content
    with Image.open(io.BytesIO(fetched.content)) as result:
        assert not result.getexif()


def test_content_type_parameters_are_accepted(allow_site):
    allow_site.routes["/p.png"] = reply(picture("PNG"), "Image/PNG; charset=binary")
    assert fetcher.fetch_image(allow_site.url("/p.png")).format == "PNG"


def test_sends_the_original_host_header(allow_site):
    seen = {}

    def handler(request):
        seen["host"] = request.headers["Host"]
        reply(picture("PNG"), "image/png")(request)

    allow_site.routes["/host.png"] = handler
    fetcher.fetch_image(allow_site.url("/host.png"))
    assert seen["host"] == f"127.0.0.1:{allow_site.port}"


# --- Schemes and URL shapes -----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/picture.jpg",
        "gopher://example.com/",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
    ],
)
def test_refuses_other_schemes(url):
    with pytest.raises(fetcher.UnsupportedScheme, match="Only http:// and https://"):
        fetcher.fetch_image(url)


@pytest.mark.parametrize(
    "url",
    ["", "http://", "http:///x.png", "not a url", "http://exa mple.com/x.png"],
)
def test_refuses_malformed_urls(url):
    with pytest.raises(fetcher.FetchError):
        fetcher.fetch_image(url)


def test_refuses_credentials_in_the_url():
    with pytest.raises(fetcher.InvalidURL, match="user name or password"):
        fetcher.fetch_image("http://admin:secret@example.com/x.png")


# --- Private, local and metadata addresses (loopback NOT allowed) ---------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.1.2.3",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "100.64.0.1",
        "169.254.169.254",
        "0.0.0.0",  # noqa: S104 - an address we must refuse, not bind
        "224.0.0.1",
        "255.255.255.255",
        "2130706433",  # 127.0.0.1 written as a number
        "0x7f.1",  # and in hex shorthand
        "[::1]",
        "[::]",
        "[::ffff:127.0.0.1]",
        "[::ffff:10.0.0.1]",
        "[::ffff:169.254.169.254]",
        "[fd00:ec2::254]",
        "[fe80::1]",
        "[fc00::1]",
        "[2002:7f00:1::]",  # 6to4 wrapping 127.0.0.1
        "[64:ff9b::a9fe:a9fe]",  # NAT64 wrapping 169.254.169.254
        "[ff02::1]",
        "localhost",  # a DNS name resolving to loopback
    ],
)
def test_refuses_non_public_addresses(site_server, host):
    site_server.routes["/x.png"] = reply(picture("PNG"), "image/png")
    with pytest.raises(fetcher.HostNotAllowed, match="private or local network"):
        fetcher.fetch_image(f"http://{host}:{site_server.port}/x.png")
    assert site_server.hits == []  # refused before any connection


def test_loopback_is_refused_by_default_even_for_a_live_server(site_server, settings):
    assert settings.GALLERY_FETCH_ALLOW_LOOPBACK_PORTS == []
    site_server.routes["/x.png"] = reply(picture("PNG"), "image/png")
    with pytest.raises(fetcher.HostNotAllowed):
        fetcher.fetch_image(site_server.url("/x.png"))
    assert site_server.hits == []


def test_allowing_a_loopback_port_never_allows_mapped_forms(allow_site):
    allow_site.routes["/x.png"] = reply(picture("PNG"), "image/png")
    with pytest.raises(fetcher.HostNotAllowed):
        fetcher.fetch_image(f"http://[::ffff:127.0.0.1]:{allow_site.port}/x.png")
    assert allow_site.hits == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("8.8.8.8", True),
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
        ("2002:808:808::1", True),  # 6to4 of 8.8.8.8
        ("100.100.100.200", False),  # CGNAT (Alibaba metadata)
        ("198.18.0.1", False),
        ("192.0.0.192", False),
        ("::ffff:192.168.0.1", False),
        ("2001::5ef5:79fd:0:0:80ff:fffe", False),  # Teredo
        ("240.0.0.1", False),
    ],
)
def test_address_classification(address, public):
    assert fetcher.address_is_public(ipaddress.ip_address(address)) is public


def test_unknown_host_is_a_clear_error():
    with pytest.raises(fetcher.HostNotFound, match="could not be found"):
        fetcher.fetch_image("http://no-such-host.invalid/x.png")


# --- Redirects ------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/x.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x.png",
        "http://localhost/x.png",
    ],
)
def test_redirect_to_a_private_address_is_refused(allow_site, target):
    allow_site.routes["/go"] = redirect(target)
    with pytest.raises(fetcher.HostNotAllowed):
        fetcher.fetch_image(allow_site.url("/go"))
    assert allow_site.hits == ["/go"]


def test_redirect_to_another_loopback_server_is_refused(allow_site, other_server):
    """Only the fixture origin is allowed: another local service stays unreachable."""
    other_server.routes["/secret.png"] = reply(picture("PNG"), "image/png")
    allow_site.routes["/go"] = redirect(other_server.url("/secret.png"))
    with pytest.raises(fetcher.HostNotAllowed):
        fetcher.fetch_image(allow_site.url("/go"))
    assert other_server.hits == []


def test_follows_up_to_three_redirects(allow_site):
    allow_site.routes["/r1"] = redirect("/r2", status=301)
    allow_site.routes["/r2"] = redirect(allow_site.url("/r3"), status=307)
    allow_site.routes["/r3"] = redirect("/final.png", status=308)
    allow_site.routes["/final.png"] = reply(picture("PNG"), "image/png")
    fetched = fetcher.fetch_image(allow_site.url("/r1"))
    assert fetched.source_url == allow_site.url("/final.png")


def test_more_than_three_redirects_are_refused(allow_site):
    for n in range(1, 5):
        allow_site.routes[f"/r{n}"] = redirect(f"/r{n + 1}")
    allow_site.routes["/r5"] = reply(picture("PNG"), "image/png")
    with pytest.raises(fetcher.TooManyRedirects, match="redirects too many times"):
        fetcher.fetch_image(allow_site.url("/r1"))
    assert "/r5" not in allow_site.hits


def test_redirect_to_another_scheme_is_refused(allow_site):
    allow_site.routes["/go"] = redirect("file:///etc/passwd")
    with pytest.raises(fetcher.UnsupportedScheme):
        fetcher.fetch_image(allow_site.url("/go"))


# --- Size, type and content -------------------------------------------------------

ELEVEN_MB = 11 * 1024 * 1024


def test_declared_oversized_body_is_refused_before_reading(allow_site):
    allow_site.routes["/big.png"] = reply(
        picture("PNG") + b"\0" * ELEVEN_MB, "image/png"
    )
    with pytest.raises(fetcher.FileTooLarge, match="limit is 10 MB"):
        fetcher.fetch_image(allow_site.url("/big.png"))


def test_oversized_body_without_content_length_is_cut_while_streaming(allow_site):
    allow_site.routes["/stream.png"] = reply(
        picture("PNG") + b"\0" * ELEVEN_MB, "image/png", length=False
    )
    with pytest.raises(fetcher.FileTooLarge):
        fetcher.fetch_image(allow_site.url("/stream.png"))


def test_lying_content_length_reads_no_more_than_declared(allow_site):
    """A server announcing 2 KB and sending 11 MB gets 2 KB read, then refused as
    a broken image; the extra bytes are never buffered."""
    allow_site.routes["/liar.png"] = reply(
        picture("PNG")[:100] + b"\0" * ELEVEN_MB, "image/png", length=2048
    )
    with pytest.raises(fetcher.ContentMismatch):
        fetcher.fetch_image(allow_site.url("/liar.png"))


def test_text_served_as_png_is_refused(allow_site):
    allow_site.routes["/fake.png"] = reply(b"<html>not an image</html>", "image/png")
    with pytest.raises(fetcher.ContentMismatch, match="not the kind of image"):
        fetcher.fetch_image(allow_site.url("/fake.png"))


def test_content_type_and_format_must_agree(allow_site):
    allow_site.routes["/jpeg-as-png"] = reply(picture("JPEG"), "image/png")
    with pytest.raises(fetcher.ContentMismatch):
        fetcher.fetch_image(allow_site.url("/jpeg-as-png"))


@pytest.mark.parametrize(
    "content_type", ["text/html", "image/svg+xml", "application/octet-stream", ""]
)
def test_other_content_types_are_refused(allow_site, content_type):
    allow_site.routes["/x"] = reply(picture("PNG"), content_type)
    with pytest.raises(fetcher.UnsupportedType, match="JPEG, PNG, GIF or WebP"):
        fetcher.fetch_image(allow_site.url("/x"))


def test_truncated_image_is_refused(allow_site):
    allow_site.routes["/cut.jpg"] = reply(picture("JPEG")[:300], "image/jpeg")
    with pytest.raises(fetcher.ContentMismatch):
        fetcher.fetch_image(allow_site.url("/cut.jpg"))


@pytest.mark.parametrize("side", [7000, 100_000])
def test_decompression_bomb_is_refused_before_decoding(allow_site, side):
    bomb = png_declaring(side, side)
    assert len(bomb) < 200
    allow_site.routes["/bomb.png"] = reply(bomb, "image/png")
    with pytest.raises(fetcher.TooManyPixels, match="too many pixels"):
        fetcher.fetch_image(allow_site.url("/bomb.png"))


def test_a_real_pixel_bomb_is_refused_without_decoding(
    allow_site, pixel_bomb, decoded_sizes
):
    allow_site.routes["/bomb.png"] = reply(pixel_bomb, "image/png")
    with pytest.raises(fetcher.TooManyPixels, match="limit is 40 megapixels"):
        fetcher.fetch_image(allow_site.url("/bomb.png"))
    assert decoded_sizes == []


# Silenced in the settings; pytest shows warnings again.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_pillows_warning_below_the_limit_is_no_refusal(
    allow_site, settings, monkeypatch
):
    """Pillow warns from half the site's limit (settings): a picture between the
    two is fine, one over the limit is not (a 1000-pixel limit here)."""
    settings.GALLERY_FETCH_MAX_PIXELS = 1000
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500)
    for side in (30, 40):
        allow_site.routes[f"/{side}.png"] = reply(
            picture("PNG", size=(side, side)), "image/png"
        )
    assert fetcher.fetch_image(allow_site.url("/30.png")).width == 30
    with pytest.raises(fetcher.TooManyPixels):
        fetcher.fetch_image(allow_site.url("/40.png"))


def test_error_status_is_refused(allow_site):
    with pytest.raises(fetcher.BadStatus, match="404"):
        fetcher.fetch_image(allow_site.url("/missing.png"))


# --- Timeouts -------------------------------------------------------------------


def test_slow_server_times_out(allow_site, settings):
    settings.GALLERY_FETCH_READ_TIMEOUT = 0.3
    allow_site.routes["/slow.png"] = slow(3)
    with pytest.raises(fetcher.FetchTimeout, match="too long"):
        fetcher.fetch_image(allow_site.url("/slow.png"))


def test_trickling_server_hits_the_total_deadline(allow_site, settings):
    settings.GALLERY_FETCH_READ_TIMEOUT = 5
    settings.GALLERY_FETCH_TOTAL_TIMEOUT = 0.8
    allow_site.routes["/drip.png"] = trickle(0.2, 20)
    with pytest.raises(fetcher.FetchTimeout):
        fetcher.fetch_image(allow_site.url("/drip.png"))
