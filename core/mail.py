"""Templated mail: every mail of the site is three templates rendered one way.

A mail named `<app>/emails/<name>` is `<app>/emails/<name>_subject.txt`,
`<name>_body.txt` and `<name>_body.html`, rendered with one context. The subject's
whitespace (newlines included) is collapsed to single spaces, so a value typed by a
visitor can never add a header line, and the template may wrap freely.

    mail_send(
        template="orders/emails/payment_completed",
        context={"order": order},
        to=[order.email],
        attachments=[(f"invoice-{order.number}.pdf", pdf_bytes, "application/pdf")],
    )

`mail_render` returns the message unsent, for callers that send it themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def mail_render(
    *,
    template: str,
    context: dict,
    to: Sequence[str],
    reply_to: Sequence[str] = (),
    attachments: Sequence[tuple[str, bytes | str, str]] = (),
    from_email: str | None = None,
) -> EmailMultiAlternatives:
    """The mail `template` (`<app>/emails/<name>`, no suffix) as text with an HTML
    alternative. `attachments` are (filename, content, mimetype); `from_email`
    defaults to DEFAULT_FROM_EMAIL."""
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
    return message


def mail_send(
    *,
    template: str,
    context: dict,
    to: Sequence[str],
    reply_to: Sequence[str] = (),
    attachments: Sequence[tuple[str, bytes | str, str]] = (),
    from_email: str | None = None,
) -> int:
    """Render the mail `template` (see mail_render) and send it now; returns the
    number of messages sent (1). SMTP errors propagate, so a Celery task retries."""
    return mail_render(
        template=template,
        context=context,
        to=to,
        reply_to=reply_to,
        attachments=attachments,
        from_email=from_email,
    ).send()
