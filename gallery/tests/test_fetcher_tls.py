"""https through the pinned connection: certificate and SNI use the host NAME.

A local CA signs a certificate for `localhost` only (no IP address in it); the
fetcher connects to the checked IP and must still verify that certificate and send
SNI `localhost`. The CA is trusted through SSL_CERT_FILE, as OpenSSL reads it.
"""

import datetime
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gallery import fetcher

from .conftest import FixtureServer, picture, reply


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificate(subject, issuer, key, signing_key, *, ca: bool, dns=None):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if dns:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(dns)]), critical=False
        )
    return builder.sign(signing_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA file and server certificates for `localhost` and for another name."""
    folder = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate(_name("Test CA"), _name("Test CA"), ca_key, ca_key, ca=True)
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths = {"ca": str(folder / "ca.pem")}
    for host in ("localhost", "elsewhere.example"):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(_name(host), ca.subject, key, ca_key, ca=False, dns=host)
        pem = cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        (folder / f"{host}.pem").write_bytes(pem)
        paths[host] = str(folder / f"{host}.pem")
    return paths


def _tls_server(cert_file: str):
    server = FixtureServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file)
    server.sni = []
    context.sni_callback = lambda sock, name, ctx: server.sni.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def tls_site(pki, settings, monkeypatch, request):
    server = _tls_server(pki[request.param])
    server.routes["/pic.png"] = reply(picture("PNG"), "image/png")
    settings.GALLERY_FETCH_ALLOW_LOOPBACK_PORTS = [server.port]
    monkeypatch.setenv("SSL_CERT_FILE", pki["ca"])
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("tls_site", ["localhost"], indirect=True)
def test_https_verifies_the_certificate_of_the_name_not_the_ip(tls_site):
    fetched = fetcher.fetch_image(f"https://localhost:{tls_site.port}/pic.png")
    assert fetched.format == "PNG"
    assert tls_site.sni == ["localhost"]


@pytest.mark.parametrize("tls_site", ["elsewhere.example"], indirect=True)
def test_https_with_a_certificate_for_another_name_is_refused(tls_site):
    with pytest.raises(fetcher.ConnectionFailed, match="could not be verified"):
        fetcher.fetch_image(f"https://localhost:{tls_site.port}/pic.png")
    assert tls_site.hits == []


@pytest.mark.parametrize("tls_site", ["localhost"], indirect=True)
def test_https_with_an_untrusted_certificate_is_refused(tls_site, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE")
    with pytest.raises(fetcher.ConnectionFailed, match="could not be verified"):
        fetcher.fetch_image(f"https://localhost:{tls_site.port}/pic.png")
    assert tls_site.hits == []
