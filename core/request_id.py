"""Request ids in the logs: every log line written while a request is handled names
it (and the client address), and the response returns it in `X-Request-ID`, so an
operator can find the lines of one failing request (and its Sentry event, tagged with
the same id).

The id is taken from the request's `X-Request-ID` header only when the request came
through a trusted proxy (TRUSTED_PROXIES, e.g. nginx with `proxy_set_header
X-Request-ID $request_id`) and looks like an id; otherwise it is a new uuid4.
"""

import contextvars
import logging
import re
import uuid

from django.core.signals import request_finished
from django.dispatch import receiver

HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_request_id = contextvars.ContextVar("request_id", default="-")
_client_ip = contextvars.ContextVar("client_ip", default="-")


def current_request_id() -> str:
    """The id of the request being handled, or "-" outside one."""
    return _request_id.get()


def request_id_for(request) -> str:
    from core.ratelimit import is_trusted_proxy

    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    if (
        incoming
        and _VALID.match(incoming)
        and is_trusted_proxy(request.META.get("REMOTE_ADDR", ""))
    ):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import sentry_sdk

        from core.ratelimit import client_ip

        request_id = request.request_id = request_id_for(request)
        # Kept until the response is closed (request_finished below), so Django's
        # own "Not Found" / "Internal Server Error" lines, logged after the
        # middleware returns, name the request too.
        _request_id.set(request_id)
        _client_ip.set(client_ip(request))
        sentry_sdk.set_tag("request_id", request_id)  # a no-op without SENTRY_DSN
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="core.request_id.forget")
def _forget(**kwargs) -> None:
    _request_id.set("-")
    _client_ip.set("-")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` and `client_ip` to every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        record.client_ip = _client_ip.get()
        return True
