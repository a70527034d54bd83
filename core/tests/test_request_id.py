"""Request ids in the logs and the response; optional Sentry, off without a DSN."""

import io
import logging
import re

import pytest
import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from core.request_id import RequestIdFilter
from mysite.settings.monitoring import sentry_init

HEX_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def console():
    """What the site's console log handler (settings.LOGGING) writes, captured."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RequestIdFilter) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_every_response_carries_a_new_request_id(client):
    first = client.get("/healthz/")["X-Request-ID"]
    second = client.get("/healthz/")["X-Request-ID"]
    assert HEX_ID.match(first) and HEX_ID.match(second)
    assert first != second


@pytest.mark.django_db
def test_the_log_lines_of_a_request_name_its_id_and_client(client, console, settings):
    response = client.get("/no-such-page-here/", REMOTE_ADDR="192.0.2.77")
    assert response.status_code == 404  # Django logs "Not Found" for it
    request_id = response["X-Request-ID"]
    lines = [line for line in console.getvalue().splitlines() if "Not Found" in line]
    assert lines, console.getvalue()
    assert f"[{request_id} 192.0.2.77]" in lines[-1]


def test_outside_a_request_the_fields_are_dashes(console):
    logging.getLogger("mysite.test").warning("no request here")
    assert "[- -]: no request here" in console.getvalue()


def test_a_trusted_proxys_request_id_is_kept(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    response = client.get(
        "/healthz/", REMOTE_ADDR="10.0.0.2", HTTP_X_REQUEST_ID="nginx-3f2a.91"
    )
    assert response["X-Request-ID"] == "nginx-3f2a.91"


@pytest.mark.parametrize(
    ("remote", "incoming"),
    [("192.0.2.8", "chosen-by-the-client"), ("10.0.0.2", "bad id\nwith a newline")],
)
def test_an_untrusted_or_malformed_request_id_is_replaced(
    client, settings, remote, incoming
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    response = client.get("/healthz/", REMOTE_ADDR=remote, HTTP_X_REQUEST_ID=incoming)
    assert HEX_ID.match(response["X-Request-ID"])


@pytest.fixture
def sentry_calls(monkeypatch):
    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))
    return calls


def test_sentry_is_off_without_a_dsn(sentry_calls, settings):
    assert sentry_init("", environment="production", traces_sample_rate=0) is False
    assert sentry_calls == []
    assert settings.SENTRY_ENABLED is False  # the test environment sets no DSN


def test_sentry_starts_with_django_and_celery_when_given_a_dsn(sentry_calls):
    dsn = "https://public@o0.ingest.sentry.example/1"
    assert sentry_init(dsn, environment="staging", traces_sample_rate=0.1) is True
    [call] = sentry_calls
    assert call["dsn"] == dsn
    assert call["environment"] == "staging"
    assert call["traces_sample_rate"] == 0.1
    assert call["send_default_pii"] is False
    kinds = {type(integration) for integration in call["integrations"]}
    assert kinds == {DjangoIntegration, CeleryIntegration}
