import smtplib

from celery import shared_task

from .services import password_reset_mail_send


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def password_reset_mail(user_id: int, domain: str, use_https: bool) -> bool:
    """Send the reset link (ids in). A retry sends a fresh link; any unused link
    stays valid for PASSWORD_RESET_TIMEOUT, so a duplicate is harmless."""
    return password_reset_mail_send(user_id=user_id, domain=domain, use_https=use_https)
