"""Requests made inside this process with Django's test Client, under the same settings
as gunicorn: SQL queries per request, and the cookies wrk must send for a target.

Needs Django set up (the runner does it after exporting the bench environment).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field

from .targets import CACHE_BUST_HEADER, CACHE_BUST_PARAM, Target

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"


@dataclass(frozen=True)
class PreparedTarget:
    """A target with everything resolved: concrete path, headers incl. cookies."""

    target: Target
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None
    queries: int | None = None  # steady state: the request after a warm-up request
    queries_first: int | None = None  # the first request of the run

    @property
    def name(self) -> str:
        return self.target.name

    @property
    def method(self) -> str:
        return self.target.method

    @property
    def body(self) -> str | None:
        return self.target.body


def bench_client(target: Target):
    """A test Client logged in / prepared as the target says."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(
        enforce_csrf_checks=True,
        raise_request_exception=False,
        HTTP_HOST=HOST,
        SERVER_NAME=HOST,
    )
    if target.login:
        user, _ = get_user_model().objects.get_or_create(
            username=target.login, defaults={"email": f"{target.login}@example.com"}
        )
        client.force_login(user)
    if target.csrf:
        from django.conf import settings
        from django.middleware.csrf import _get_new_csrf_string

        client.cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()
    if target.prepare:
        target.prepare(client)
    return client


def request_headers(target: Target, client) -> dict[str, str]:
    """The headers wrk sends: the target's own, cookies, CSRF token, content type."""
    from django.conf import settings

    headers = {"Host": HOST, **target.headers}
    if target.cache_bust:
        headers[CACHE_BUST_HEADER] = "1"
    cookies = "; ".join(
        f"{name}={morsel.value}" for name, morsel in client.cookies.items()
    )
    if cookies:
        headers["Cookie"] = cookies
    if target.csrf:
        headers["X-CSRFToken"] = client.cookies[settings.CSRF_COOKIE_NAME].value
    if target.body is not None and "Content-Type" not in headers:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return headers


def _send(client, target: Target, path: str, headers: dict[str, str]):
    extra = {}
    if target.csrf:
        extra["HTTP_X_CSRFTOKEN"] = headers["X-CSRFToken"]
    own = {
        k: v
        for k, v in headers.items()
        if k in target.headers or k == CACHE_BUST_HEADER
    }
    for name, value in own.items():
        extra["HTTP_" + name.upper().replace("-", "_")] = value
    if target.method.upper() == "GET":
        return client.get(path, **extra)
    return client.generic(
        target.method.upper(),
        path,
        data=(target.body or "").encode(),
        content_type=headers.get("Content-Type", "application/octet-stream"),
        **extra,
    )


def prepare(target: Target) -> PreparedTarget:
    """Resolve the target, make two requests, and count the second one's queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = target.resolve_path()
    nonce = secrets.token_hex(4)  # unseen by earlier runs' caches too

    def path_for(n: int) -> str:
        """As wrk will send it: with cache_bust, a URL no cache has seen yet."""
        if not target.cache_bust:
            return path
        return f"{path}{'&' if '?' in path else '?'}{CACHE_BUST_PARAM}={nonce}-{n}"

    client = bench_client(target)
    headers = request_headers(target, client)
    with CaptureQueriesContext(connection) as first:
        _send(client, target, path_for(1), headers)
    with CaptureQueriesContext(connection) as steady:
        response = _send(client, target, path_for(2), headers)
    if response.status_code >= 400:
        logger.warning("%s %s answered %s", target.method, path, response.status_code)
    # The requests may have changed the session (a cart): send its latest cookies.
    headers = request_headers(target, client)
    return PreparedTarget(
        target=target,
        path=path,
        headers=headers,
        status=response.status_code,
        queries=len(steady.captured_queries),
        queries_first=len(first.captured_queries),
    )
