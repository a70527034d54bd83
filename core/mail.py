"""Templated mail: every mail of the site is three templates rendered one way.

A mail named `<app>/emails/<name>` is `<app>/emails/<name>_subject.txt`,
`<name>_body.txt` and `<name>_body.html`, rendered with one context. The subject's
whitespace (newlines included) is collapsed to single spaces, so a value typed by a
visitor can never add a header line, and the template may wrap freely.

    mail_send(
        template="orders/emails/invoice",
        context={"order": order},
        to=[order.email],
        attachments=[(f"invoice-{order.number}.pdf", pdf_bytes, "application/pdf")],
    )
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def mail_send(
    *,
    template: str,
    context: dict,
    to: Sequence[str],
    reply_to: Sequence[str] = (),
    attachments: Sequence[tuple[str, bytes | str, str]] = (),
    from_email: str | None = None,
) -> int:
    """Render the mail `template` (`<app>/emails/<name>`, no suffix) as text with an
    HTML alternative and send it now; returns the number sent (1).

    `attachments` are (filename, content, mimetype); `from_email` defaults to
    DEFAULT_FROM_EMAIL. Rendering and SMTP errors propagate, so a Celery task retries
    and a caller that claimed the mail can release its claim.
    """
    subject = render_to_string(f"{template}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"{template}_body.txt", context),
        from_email=from_email,
        to=list(to),
        reply_to=list(reply_to),
    )
    message.attach_alternative(
        render_to_string(f"{template}_body.html", context), "text/html"
    )
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message.send()
