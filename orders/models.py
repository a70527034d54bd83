"""Orders placed at checkout, their lines, and the Stripe events we have processed."""

import uuid
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Order(models.Model):
    """A placed order. `status` is the one record of where it stands (paid or not);
    changes go through `orders.services.checkout.order_transition`, which checks
    `TRANSITIONS` and raises `InvalidOrderTransition`.

    A pending order holds its units (reserved at checkout) until `hold_expires_at`;
    then the beat task `orders.order_holds_expire` cancels it and puts them back.

    Life: pending → paid → fulfilled (shipped) → delivered; pending or paid →
    canceled (a paid one is refunded first); paid, fulfilled or delivered →
    refunded (in full). A partial refund is not a status: `refunded_amount` says
    how much went back, whatever the shipping state. Every transition is recorded
    as an `OrderEvent` (the order's history)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting payment"
        PAID = "paid", "Paid"
        FULFILLED = "fulfilled", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELED = "canceled", "Canceled"
        REFUNDED = "refunded", "Refunded"

    TRANSITIONS = {
        Status.PENDING: {Status.PAID, Status.CANCELED},
        Status.PAID: {Status.FULFILLED, Status.CANCELED, Status.REFUNDED},
        Status.FULFILLED: {Status.DELIVERED, Status.REFUNDED},
        Status.DELIVERED: {Status.REFUNDED},
        Status.CANCELED: set(),
        Status.REFUNDED: set(),
    }
    # The customer's money is with us (in full or less `refunded_amount`).
    PAID_STATUSES = (Status.PAID, Status.FULFILLED, Status.DELIVERED)

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    address = models.CharField(max_length=250)
    postal_code = models.CharField(max_length=20)
    city = models.CharField(max_length=100)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="eur")
    total = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="Sum of the lines less the discount, stored once when the order "
        "was placed: what the customer pays.",
    )
    # The coupon as it was at checkout (copied: a later edit of the coupon, or its
    # deletion, changes nothing here). The subtotal is `total + discount_amount`.
    # Database defaults too, so rows written with raw SQL/COPY (bench seeding) are
    # orders without a coupon.
    coupon = models.ForeignKey(
        "coupons.Coupon",
        related_name="orders",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    coupon_code = models.CharField(max_length=50, blank=True, default="", db_default="")
    discount_percent = models.PositiveSmallIntegerField(default=0, db_default=0)
    discount_amount = models.DecimalField(
        "discount",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        db_default=Decimal("0.00"),
        help_text="Taken off the lines' sum by the coupon, stored at checkout.",
    )
    refunded_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        db_default=Decimal("0.00"),
        help_text="Given back so far, as confirmed by Stripe.",
    )
    # The member who placed it (None for a guest, or after the member was deleted:
    # the order stays for the accounts, with the name and e-mail anonymised).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        related_name="orders",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    carrier = models.CharField(max_length=100, blank=True, default="", db_default="")
    tracking_number = models.CharField(
        max_length=100, blank=True, default="", db_default=""
    )
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    stripe_payment_intent_id = models.CharField(
        "Stripe payment", max_length=250, blank=True, help_text="Payment intent id."
    )
    stripe_session_id = models.CharField(max_length=250, blank=True)
    hold_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="While pending, the stock stays reserved until then; empty when "
        "the order never held stock (demo and bench rows).",
    )
    # Who placed it, for the limit on pending orders per client: keyed hashes
    # (salted_hmac), so neither the address nor the session key is stored. The
    # database default lets bulk loads (bench's COPY) leave them out.
    client_ip_hash = models.CharField(
        max_length=64, blank=True, default="", db_default="", editable=False
    )
    client_session_hash = models.CharField(
        max_length=64, blank=True, default="", db_default="", editable=False
    )
    # One order per checkout form: a double submit finds the order by this token.
    checkout_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Mail bookkeeping: claimed_at marks a send in progress (a lease), sent_at a
    # delivered mail; the sweep retries whatever is unsent and unclaimed.
    confirmation_claimed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    invoice_claimed_at = models.DateTimeField(null=True, blank=True)
    invoice_sent_at = models.DateTimeField(null=True, blank=True)
    shipped_mail_claimed_at = models.DateTimeField(null=True, blank=True)
    shipped_mail_sent_at = models.DateTimeField(null=True, blank=True)
    canceled_mail_claimed_at = models.DateTimeField(null=True, blank=True)
    canceled_mail_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["-created"]),
            models.Index(fields=["status", "-created"]),
            models.Index(fields=["email"]),
            # The hold sweep and the per-client limit read pending orders only.
            models.Index(
                fields=["hold_expires_at"],
                condition=models.Q(status="pending"),
                name="orders_pending_hold_idx",
            ),
            models.Index(
                fields=["client_ip_hash"],
                condition=models.Q(status="pending"),
                name="orders_pending_ip_idx",
            ),
            models.Index(
                fields=["client_session_hash"],
                condition=models.Q(status="pending"),
                name="orders_pending_session_idx",
            ),
            # Refund and dispute webhooks find the order by its payment.
            models.Index(
                fields=["stripe_payment_intent_id"],
                condition=~models.Q(stripe_payment_intent_id=""),
                name="orders_payment_intent_idx",
            ),
        ]
        # view_order (Django's) lets staff see orders and invoices.
        permissions = [
            ("cancel_order", "Can cancel order"),
            ("fulfil_order", "Can ship and deliver orders"),
            ("refund_order", "Can refund orders"),
        ]

    def __str__(self):
        return f"Order {self.id}"

    @property
    def number(self) -> str:
        return f"{self.id:06d}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def subtotal(self) -> Decimal:
        """The lines' sum before the discount (derived: `total` is what is stored)."""
        return self.total + self.discount_amount

    @property
    def is_paid(self) -> bool:
        return self.status in self.PAID_STATUSES

    @property
    def is_partially_refunded(self) -> bool:
        return Decimal("0.00") < self.refunded_amount < self.total

    def get_stripe_url(self) -> str:
        if not self.stripe_payment_intent_id:
            return ""
        path = "/test/" if settings.STRIPE_SECRET_KEY.startswith("sk_test_") else "/"
        return f"https://dashboard.stripe.com{path}payments/{self.stripe_payment_intent_id}"

    def get_tracking_url(self) -> str:
        """The carrier's tracking page for this parcel, from `ORDERS_TRACKING_URLS`
        (carrier name, any case → URL with `{number}`); "" for an unknown carrier
        or no tracking number."""
        if not (self.carrier and self.tracking_number):
            return ""
        templates = {
            name.strip().casefold(): url
            for name, url in settings.ORDERS_TRACKING_URLS.items()
        }
        template = templates.get(self.carrier.strip().casefold())
        if not template:
            return ""
        return template.replace("{number}", quote(self.tracking_number, safe=""))

    def get_invoice_url(self) -> str:
        return reverse("orders:invoice_pdf", args=[self.id])


class OrderItem(models.Model):
    order = models.ForeignKey(Order, related_name="items", on_delete=models.CASCADE)
    product = models.ForeignKey(
        "shop.Product",
        related_name="order_items",
        null=True,
        on_delete=models.SET_NULL,
    )
    # Copied at checkout so invoices survive renamed or deleted products.
    product_name = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} × {self.product_name}"

    def get_cost(self) -> Decimal:
        return self.price * self.quantity


class OrderEvent(models.Model):
    """One line of an order's history (the timeline on the inspect view and the
    member's order page): written by `orders.services.history.order_event_record`,
    never edited."""

    class Kind(models.TextChoices):
        PLACED = "placed", "Placed"
        PAID = "paid", "Paid"
        FULFILLED = "fulfilled", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELED = "canceled", "Canceled"
        REFUNDED = "refunded", "Refunded in full"
        REFUND = "refund", "Refund"
        MAIL = "mail", "Mail sent"
        NOTE = "note", "Staff note"
        PAYMENT_FAILED = "payment_failed", "Payment failed"
        DISPUTE = "dispute", "Dispute opened"

    order = models.ForeignKey(Order, related_name="events", on_delete=models.CASCADE)
    created = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        related_name="+",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="The staff member who acted; empty for the customer or the system.",
    )
    message = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["order", "created"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created:%Y-%m-%d %H:%M})"


class StripeEvent(models.Model):
    """Each Stripe event id processed once: a replayed webhook changes nothing."""

    id = models.CharField(max_length=255, primary_key=True)
    type = models.CharField(max_length=100)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.type} {self.id}"


class Refund(models.Model):
    """Money given back on an order through Stripe's Refund API, in full or in part.

    Written by `orders.services.refund`: a staff request creates it (status
    "requested", holding its amount against what is left to refund), Stripe's
    answer adds `stripe_refund_id`, and only Stripe's webhooks (refund.updated,
    charge.refunded) move it to succeeded/failed/canceled. A refund made in the
    Stripe dashboard arrives by webhook and gets a row too (no lines, no staff).
    `lines` lists the refunded order items: [{"item", "product", "name", "price",
    "quantity"}]; their units go back in stock once, when Stripe confirms, if
    `restock` was asked."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"

    order = models.ForeignKey(Order, related_name="refunds", on_delete=models.PROTECT)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="eur")
    lines = models.JSONField(default=list, blank=True)
    restock = models.BooleanField(default=False)
    restocked_at = models.DateTimeField(null=True, blank=True)
    # A paid order canceled by staff: confirmed in full, it ends canceled, not
    # refunded.
    cancels_order = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    stripe_refund_id = models.CharField(
        "Stripe refund", max_length=255, null=True, blank=True, unique=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        related_name="+",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    reason = models.CharField(max_length=500, blank=True)
    failure = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # One per request: a retried API call cannot refund twice.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mail_claimed_at = models.DateTimeField(null=True, blank=True)
    mail_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["order", "status"])]

    def __str__(self):
        return f"Refund {self.id} of order {self.order_id}"

    @property
    def number(self) -> str:
        return f"CN-{self.id:06d}"

    def get_credit_note_url(self) -> str:
        return reverse("orders:credit_note_pdf", args=[self.id])
