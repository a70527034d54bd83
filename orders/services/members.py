"""Orders and members: checkout pre-fill, the member's order history, linking a
guest order to an account (opt-in, with a signed link), and what happens to a
member's orders when the account is deleted.

Linking a guest order: accounts has no e-mail verification, so an account's e-mail
address alone proves nothing (anyone may register with any address). The proof is
the signed link itself: it is shown only to whoever placed the order (on the
payment page, in their session) and can be sent only to the order's address.
Opening it links the order when the logged-in member's e-mail equals the order's
(case-insensitive) and the order belongs to nobody yet; never automatically.
"""

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.urls import reverse

from ..models import Order, OrderEvent, Refund

CLAIM_SALT = "orders.claim"
CLAIM_MAX_AGE = 60 * 60 * 24 * 30  # seconds: a claim link works for 30 days

# What a member's deleted account leaves on their orders. The postal address
# stays: the invoice (kept for the accounts) needs it.
DELETED_FIRST_NAME = "Deleted"
DELETED_LAST_NAME = "member"
DELETED_EMAIL = "deleted-member@invalid.invalid"

# Kinds of history a customer never sees (staff notes, disputes with the bank).
STAFF_ONLY_KINDS = (OrderEvent.Kind.NOTE, OrderEvent.Kind.DISPUTE)


class ClaimRefused(Exception):
    """The claim link cannot link this order to this member; the message says why."""


def member_checkout_initial(*, user) -> dict:
    """The checkout form's initial values for a logged-in member: the account's
    name and e-mail, and the address of their latest order (the profile has no
    postal address). Empty for anonymous visitors."""
    if not getattr(user, "is_authenticated", False):
        return {}
    last = (
        Order.objects.filter(user=user)
        .order_by("-created", "-id")
        .only("first_name", "last_name", "address", "postal_code", "city")
        .first()
    )
    initial = {
        "first_name": user.first_name or (last.first_name if last else ""),
        "last_name": user.last_name or (last.last_name if last else ""),
        "email": user.email,
    }
    if last is not None:
        initial.update(
            address=last.address, postal_code=last.postal_code, city=last.city
        )
    return {name: value for name, value in initial.items() if value}


def member_orders(*, user) -> QuerySet[Order]:
    """The member's orders, newest first, with the columns the list shows."""
    return (
        Order.objects.filter(user=user)
        .order_by("-created", "-id")
        .only("id", "created", "status", "total", "refunded_amount", "currency")
    )


def member_order_get(*, user, order_id: int) -> Order | None:
    """One of the member's orders with its lines, or None (not theirs, or none)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Order.objects.filter(pk=order_id, user=user).prefetch_related("items").first()
    )


def member_order_timeline(*, order: Order) -> QuerySet[OrderEvent]:
    """The order's history as its customer sees it: no staff-only kinds."""
    return order.events.exclude(kind__in=STAFF_ONLY_KINDS).order_by("created", "id")


def order_status_label(order: Order) -> str:
    """The status as the customer reads it, with "partially refunded" when part of
    the money went back (a partial refund is not a status)."""
    label = order.get_status_display()
    if order.refunded_amount > 0 and order.status != Order.Status.REFUNDED:
        return f"{label}, partially refunded"
    return label


def order_has_invoice(order: Order) -> bool:
    """An invoice exists for orders that were paid (refunded ones included)."""
    return order.status in (*Order.PAID_STATUSES, Order.Status.REFUNDED)


def member_order_credit_notes(*, order: Order) -> QuerySet[Refund]:
    """The order's credit notes as its customer sees them: one per refund Stripe
    confirmed (requested, failed or canceled ones have none), oldest first."""
    return order.refunds.filter(status=Refund.Status.SUCCEEDED).order_by(
        "confirmed_at", "id"
    )


def member_credit_note_get(*, order: Order, refund_id: int) -> Refund | None:
    """One confirmed refund of `order` (already the member's own), or None."""
    refund = member_order_credit_notes(order=order).filter(pk=refund_id).first()
    if refund is not None:
        refund.order = order  # the credit note reads it; no second query
    return refund


def order_claim_token(*, order: Order) -> str:
    """A signed, expiring token naming the order and its e-mail address."""
    return signing.TimestampSigner(salt=CLAIM_SALT).sign_object(
        {"o": order.pk, "e": order.email.lower()}
    )


def order_claim_absolute_url(*, order: Order) -> str:
    """The "Save this order to your account" link of a guest order for a mail (the
    site's address from WAGTAILADMIN_BASE_URL, as every mail uses); "" for an
    order that already belongs to an account."""
    if order.user_id is not None:
        return ""
    path = reverse("member_orders:claim", args=[order_claim_token(order=order)])
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def order_claim_token_read(token: str) -> tuple[int, str]:
    """The (order id, e-mail) a claim token names. Raises `signing.SignatureExpired`
    when it is older than `CLAIM_MAX_AGE`, `signing.BadSignature` when it was not
    made by us (tampered, truncated, junk)."""
    data = signing.TimestampSigner(salt=CLAIM_SALT).unsign_object(
        token, max_age=CLAIM_MAX_AGE
    )
    try:
        return int(data["o"]), str(data["e"])
    except (KeyError, TypeError, ValueError) as exc:
        raise signing.BadSignature("Malformed claim token.") from exc


def order_claim(*, token: str, user) -> Order:
    """Link the guest order named by `token` to `user`; returns the order.

    Raises `signing.BadSignature` (tampered), `signing.SignatureExpired` (too old)
    or `ClaimRefused` (another member's address, already linked, no such order).
    The link is a conditional UPDATE: two claims at once link it once.
    """
    order_id, email = order_claim_token_read(token)
    order = Order.objects.filter(pk=order_id).first()
    if order is None or order.email.lower() != email:
        raise ClaimRefused("This order no longer exists or its e-mail has changed.")
    if order.user_id == user.pk:
        raise ClaimRefused(f"Order {order.number} is already in your account.")
    if order.user_id is not None:
        raise ClaimRefused(f"Order {order.number} already belongs to an account.")
    if (user.email or "").lower() != email:
        raise ClaimRefused(
            f"Order {order.number} was placed with another e-mail address than "
            "your account's. Log in with the account that uses that address."
        )
    linked = Order.objects.filter(pk=order.pk, user__isnull=True).update(user=user)
    if not linked:
        raise ClaimRefused(f"Order {order.number} already belongs to an account.")
    order.user = user
    return order


def member_orders_anonymise(*, user) -> int:
    """Before a member is deleted: keep their orders (the accounts need the
    invoices) but replace the name and e-mail; the postal address stays, as the
    invoice needs it. Returns how many orders were anonymised."""
    return Order.objects.filter(user=user).update(
        first_name=DELETED_FIRST_NAME,
        last_name=DELETED_LAST_NAME,
        email=DELETED_EMAIL,
        user=None,
    )
