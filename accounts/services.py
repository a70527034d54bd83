import datetime
import hashlib
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.mail import mail_send
from core.ratelimit import rate_limited

from .models import Action, Contact

logger = logging.getLogger(__name__)

ACTION_DEDUPE_WINDOW = datetime.timedelta(seconds=60)


class EmailTaken(Exception):
    """Another account already uses this e-mail address (in any letter case)."""


def action_create(*, user, verb: Action.Verb, target=None) -> Action | None:
    """Record `user verb target` unless the same action was recorded in the last 60 s.

    Returns the new Action, or None when it was a duplicate.
    """
    since = timezone.now() - ACTION_DEDUPE_WINDOW
    similar = Action.objects.filter(user=user, verb=verb, created__gte=since)
    if target is not None:
        target_ct = ContentType.objects.get_for_model(target)
        similar = similar.filter(target_ct=target_ct, target_id=target.pk)
    else:
        similar = similar.filter(target_ct__isnull=True)
    if similar.exists():
        return None
    return Action.objects.create(user=user, verb=verb, target=target)


def _lock_email(email: str) -> None:
    """Serialise writers of one e-mail address until the transaction ends.

    The auth table is Django's, so there is no unique index on lower(email); a
    transaction-scoped advisory lock makes "check, then write" safe against two
    concurrent registrations (or edits) with the same address.
    """
    digest = hashlib.blake2b(email.lower().encode(), digest_size=8).digest()
    key = int.from_bytes(digest, "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def email_is_taken(*, email: str, exclude_user=None) -> bool:
    users = get_user_model()._default_manager.filter(email__iexact=email.strip())
    if exclude_user is not None:
        users = users.exclude(pk=exclude_user.pk)
    return users.exists()


@transaction.atomic
def user_register(
    *,
    username: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
):
    """Create a member (the profile follows from the post_save signal) and announce it.

    Raises EmailTaken when the address was claimed since the form was validated.
    """
    User = get_user_model()
    email = User._default_manager.normalize_email(email.strip())
    _lock_email(email)
    if email_is_taken(email=email):
        raise EmailTaken(email)
    user = User._default_manager.create_user(
        username=username,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
    )
    action_create(user=user, verb=Action.Verb.ACCOUNT_CREATED)
    return user


@transaction.atomic
def user_update_details(*, user, first_name: str, last_name: str, email: str):
    """Change a member's names and e-mail, keeping e-mails unique (any case)."""
    email = get_user_model()._default_manager.normalize_email(email.strip())
    if email.lower() != (user.email or "").lower():
        _lock_email(email)
        if email_is_taken(email=email, exclude_user=user):
            raise EmailTaken(email)
    user.first_name = first_name
    user.last_name = last_name
    user.email = email
    user.save(update_fields=["first_name", "last_name", "email"])
    return user


@transaction.atomic
def contact_follow(*, user_from, user_to) -> bool:
    """Make `user_from` follow `user_to`; True when the follow is new.

    Idempotent: following twice keeps one Contact (the unique constraint backs the
    get_or_create up against concurrent clicks).
    """
    if user_from.pk == user_to.pk:
        raise ValueError("A member cannot follow themselves.")
    _contact, created = Contact.objects.get_or_create(
        user_from=user_from, user_to=user_to
    )
    if created:
        action_create(user=user_from, verb=Action.Verb.FOLLOWING, target=user_to)
    return created


def contact_unfollow(*, user_from, user_to) -> bool:
    """Stop following; True when there was a follow to remove (harmless otherwise)."""
    deleted, _ = Contact.objects.filter(user_from=user_from, user_to=user_to).delete()
    return bool(deleted)


def password_reset_allowed(*, email: str, client_ip: str) -> bool:
    """Count one password-reset request for this address and for this client, and
    say whether a mail may go out (ACCOUNTS_PASSWORD_RESET_RATE_LIMITS). Both are
    counted whether or not the address belongs to a member, so the answer tells a
    stranger nothing; beyond either limit no mail is sent, and the page says the same.
    """
    limits = settings.ACCOUNTS_PASSWORD_RESET_RATE_LIMITS
    limit, window = limits["address"]
    address_over = rate_limited(
        "password_reset:address", email.strip().casefold(), limit=limit, window=window
    )
    limit, window = limits["ip"]
    ip_over = rate_limited("password_reset:ip", client_ip, limit=limit, window=window)
    if address_over or ip_over:
        logger.warning(
            "Password reset rate limit reached (%s); no mail sent",
            "address" if address_over else "client address",
        )
        return False
    return True


def password_reset_mail_send(*, user_id: int, domain: str, use_https: bool) -> bool:
    """Mail a one-time password-reset link to an active member; False if none.

    Runs in the Celery worker: the request answers at once and takes the same time
    whether or not the address belongs to an account. The token is made here, so
    it never travels through the broker.
    """
    user = (
        get_user_model()
        ._default_manager.filter(pk=user_id, is_active=True)
        .exclude(email="")
        .first()
    )
    if user is None or not user.has_usable_password():
        return False
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
    }
    mail_send(
        template="accounts/emails/password_reset", context=context, to=[user.email]
    )
    return True
