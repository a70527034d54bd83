"""Password-reset mails are rate-limited per address and per client; the page answers
the same either way (no account enumeration) but no mail goes out beyond the limit."""

import pytest

from accounts.tasks import password_reset_mail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ACCOUNTS_PASSWORD_RESET_RATE_LIMITS = {
        "address": (2, 3600),
        "ip": (4, 3600),
    }


@pytest.fixture
def queued(monkeypatch):
    """The reset mails the form queues (user ids), instead of a worker sending them."""
    sent = []

    def enqueue(task, user_id, domain, use_https):
        assert task is password_reset_mail
        sent.append(user_id)

    monkeypatch.setattr("accounts.forms.enqueue_on_commit", enqueue)
    return sent


def ask(client, email, ip="192.0.2.10"):
    return client.post(
        "/account/password-reset/", {"email": email}, REMOTE_ADDR=ip, follow=True
    )


def test_no_more_mails_to_one_address_than_the_limit(client, member, queued):
    first = ask(client, "ann@example.com")
    responses = [first] + [ask(client, "ANN@example.com ") for _ in range(3)]
    assert queued == [member.pk, member.pk]
    # Every answer is the same page, limited or not.
    assert {r.redirect_chain[-1][0] for r in responses} == {
        "/account/password-reset/done/"
    }
    assert len({r.content for r in responses}) == 1


def test_the_address_limit_holds_across_client_addresses(client, member, queued):
    for n in range(4):
        ask(client, "ann@example.com", ip=f"192.0.2.{20 + n}")
    assert queued == [member.pk, member.pk]


def test_no_more_requests_from_one_client_than_the_limit(client, member, other, queued):
    """One script mailing many addresses: cut off after the per-client limit."""
    ask(client, "nobody1@example.com")
    ask(client, "nobody2@example.com")
    ask(client, "nobody3@example.com")
    ask(client, other.email)  # the 4th request from this client: still sent
    ask(client, member.email)  # the 5th: not
    assert queued == [other.pk]
    ask(client, member.email, ip="192.0.2.99")  # another client
    assert queued == [other.pk, member.pk]
