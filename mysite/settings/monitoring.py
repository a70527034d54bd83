"""Error reporting for operators: optional Sentry (off unless SENTRY_DSN is set).
Request ids in the logs: core/request_id.py (its middleware and filter are wired in
base.py's MIDDLEWARE and LOGGING)."""

from .environment import env

SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
# Share of requests sent as performance traces; 0 sends errors only.
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)


def sentry_init(dsn: str, *, environment: str, traces_sample_rate: float) -> bool:
    """Start the official sentry-sdk with its Django and Celery integrations when
    `dsn` is set; returns whether it did. No personal data (send_default_pii off)."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
    )
    return True


SENTRY_ENABLED = sentry_init(
    SENTRY_DSN,
    environment=SENTRY_ENVIRONMENT,
    traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
)
