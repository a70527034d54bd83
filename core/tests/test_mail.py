"""Templated mail: three templates, one subject line, text with an HTML alternative."""

import pytest
from django.core import mail

from core.mail import mail_send


@pytest.fixture
def templates(tmp_path, settings):
    folder = tmp_path / "demo" / "emails"
    folder.mkdir(parents=True)
    (folder / "note_subject.txt").write_text("Hello\n  {{ name }}\t\r\nBcc: x@y.z\n")
    (folder / "note_body.txt").write_text("Dear {{ name }},\nsee you.\n")
    (folder / "note_body.html").write_text("<p>Dear {{ name }}</p>\n")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    return "demo/emails/note"


def test_subject_is_one_line_and_both_bodies_are_rendered(templates, settings):
    mail.outbox.clear()
    mail_send(
        template=templates, context={"name": "Ann\nCc: evil"}, to=["ann@example.com"]
    )
    [message] = mail.outbox
    assert message.subject == "Hello Ann Cc: evil Bcc: x@y.z"
    assert message.body == "Dear Ann\nCc: evil,\nsee you.\n"
    assert message.alternatives[0][1] == "text/html"
    assert "<p>Dear Ann\nCc: evil</p>" in message.alternatives[0][0]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.to == ["ann@example.com"]
    assert message.reply_to == []
    assert message.attachments == []


def test_send_carries_reply_to_and_attachments(templates):
    mail.outbox.clear()
    sent = mail_send(
        template=templates,
        context={"name": "Bob"},
        to=["bob@example.com"],
        reply_to=["ann@example.com"],
        attachments=[("invoice-1.pdf", b"%PDF-1.7 test", "application/pdf")],
        from_email="Shop <shop@example.com>",
    )
    assert sent == 1
    [message] = mail.outbox
    assert message.subject == "Hello Bob Bcc: x@y.z"
    assert message.reply_to == ["ann@example.com"]
    assert message.from_email == "Shop <shop@example.com>"
    assert message.attachments[0][:2] == ("invoice-1.pdf", b"%PDF-1.7 test")
    assert message.attachments[0][2] == "application/pdf"
