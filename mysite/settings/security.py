"""Security headers and request limits shared by every environment (production.py
adds HTTPS, HSTS and secure cookies)."""

import ipaddress

from .environment import env, fail

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Addresses or networks (CIDR) of the reverse proxies in front of the site (nginx, a
# load balancer), e.g. "127.0.0.1,10.0.0.0/8". Only a request whose REMOTE_ADDR is
# one of them has its client address taken from X-Forwarded-For (django-ipware, in
# core.ratelimit.client_ip), for rate limits, django-axes and the request logs. Empty:
# the header is ignored and REMOTE_ADDR is the client.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])


def _check_networks(name: str, entries: list[str]) -> None:
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            fail(f"{name}: {entry!r} is not an IP address or network (CIDR).")


_check_networks("TRUSTED_PROXIES", TRUSTED_PROXIES)

X_FRAME_OPTIONS = "DENY"  # Wagtail marks its preview views SAMEORIGIN itself
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Every page: scripts only from our own files (no inline script or handler, no
# eval), no plugins, no <base> elsewhere. core.csp.PathCSPMiddleware adds
# CONTENT_SECURITY_POLICY_PATH_UPDATES under their prefixes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        # The Wagtail admin (and its userbar on public pages) sets inline styles.
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "frame-ancestors": ["'self'"],
        "form-action": [
            "'self'",
            "https://checkout.stripe.com",
            "https://accounts.google.com",
        ],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# The Wagtail admin's templates still carry inline scripts: allowed there only.
CONTENT_SECURITY_POLICY_PATH_UPDATES = {
    "/admin/": {"script-src": ["'unsafe-inline'"]},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
