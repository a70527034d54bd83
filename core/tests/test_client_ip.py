"""The client address behind a proxy (TRUSTED_PROXIES): a forged X-Forwarded-For from
anyone else is ignored; the address a trusted proxy appended is used, by the rate
limits and by django-axes."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory

from blog.models import _rate_limited
from core.ratelimit import client_ip

PROXY = "10.0.0.7"
CLIENT = "198.51.100.23"
FORGED = "203.0.113.99"


@pytest.fixture(autouse=True)
def _trusted(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]


def request(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_a_forged_header_from_an_untrusted_address_is_ignored():
    assert client_ip(request("192.0.2.50", FORGED)) == "192.0.2.50"


def test_with_no_trusted_proxies_the_header_is_always_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request(PROXY, CLIENT)) == PROXY


def test_behind_a_trusted_proxy_the_address_it_appended_is_used():
    assert client_ip(request(PROXY, CLIENT)) == CLIENT
    # What the client sent itself comes first and is not believed.
    assert client_ip(request(PROXY, f"{FORGED}, {CLIENT}")) == CLIENT
    assert client_ip(request("127.0.0.1", f"{FORGED},{CLIENT}")) == CLIENT


def test_a_trusted_proxy_without_or_with_a_garbled_header_is_the_client():
    assert client_ip(request(PROXY)) == PROXY
    assert client_ip(request(PROXY, "not-an-address")) == PROXY


def test_invalid_trusted_proxies_stop_start_up_with_one_line():
    from mysite.tests.test_settings import manage

    result = manage("check", TRUSTED_PROXIES="10.0.0.0/8,nginx")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Configuration error: TRUSTED_PROXIES: 'nginx' is not an IP address or "
        "network (CIDR)."
    ]


def test_rate_limits_count_forged_addresses_as_one_client(settings):
    settings.BLOG_RATE_LIMITS = {**settings.BLOG_RATE_LIMITS, "share": (2, 60)}
    untrusted = "192.0.2.51"
    hits = [
        _rate_limited(request(untrusted, f"203.0.113.{n}"), "share") for n in range(3)
    ]
    assert hits == [False, False, True]


def test_rate_limits_tell_real_clients_behind_a_trusted_proxy_apart(settings):
    settings.BLOG_RATE_LIMITS = {**settings.BLOG_RATE_LIMITS, "share": (2, 60)}
    first = [_rate_limited(request(PROXY, "198.51.100.1"), "share") for _ in range(3)]
    other = _rate_limited(request(PROXY, "198.51.100.2"), "share")
    assert first == [False, False, True]
    assert other is False


def fail_login(client, remote, forwarded):
    return client.post(
        "/account/login/",
        {"username": "ann", "password": "wrong"},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.django_db
def test_axes_records_the_real_client_behind_a_trusted_proxy(client, settings):
    settings.AXES_ENABLED = True
    fail_login(client, PROXY, f"{FORGED}, {CLIENT}")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT]


@pytest.mark.django_db
def test_axes_ignores_a_forged_header_from_an_untrusted_address(client, settings):
    settings.AXES_ENABLED = True
    fail_login(client, "192.0.2.52", FORGED)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [
        "192.0.2.52"
    ]


@pytest.mark.django_db
def test_one_client_behind_the_proxy_cannot_lock_out_another(client, settings):
    """Lockout is per (username, address): before, everyone behind the proxy shared
    the proxy's address, so anyone could lock any member out."""
    from accounts.tests.factories import PASSWORD, UserFactory

    member = UserFactory(username="ann", email="ann@example.com")
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        fail_login(client, PROXY, "198.51.100.66")
    response = client.post(
        "/account/login/",
        {"username": member.username, "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    assert response.status_code == 302
