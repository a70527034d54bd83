"""Discount coupons: a code shoppers type in the cart for a percentage off."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Upper
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

CODE_MAX_LENGTH = 50
# What a code may look like: letters, digits, "-" and "_" (no spaces to mistype).
code_validator = RegexValidator(
    r"^[A-Za-z0-9_-]+\Z",
    "Use letters, digits, - and _ only.",
)


class Coupon(models.Model):
    """A percentage off the order's subtotal, usable between two dates, optionally
    a limited number of times and above a minimum subtotal.

    `uses` is changed only by `coupons.services` with conditional UPDATEs (never by a
    form), so two buyers racing for the last use cannot both get it. Orders copy the
    code, percent and amount when placed: editing a coupon changes no placed order.
    """

    code = models.CharField(
        max_length=CODE_MAX_LENGTH,
        validators=[code_validator],
        help_text="What shoppers type; not case-sensitive (stored in capitals).",
    )
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField()
    discount = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent off the order's subtotal (0–100).",
    )
    active = models.BooleanField(
        default=True, help_text="Untick to stop the code at once."
    )
    max_uses = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="How many orders may use it; empty for no limit.",
    )
    uses = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Orders placed with it (an unpaid order that is canceled gives its "
        "use back).",
    )
    min_order_total = models.DecimalField(
        "minimum order total",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="Smallest subtotal (before the discount) it applies to; 0 for any.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("code"),
        FieldPanel("discount"),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]),
        MultiFieldPanel(
            [
                FieldPanel("active"),
                FieldPanel("max_uses"),
                FieldPanel("min_order_total"),
            ],
            heading="Limits",
        ),
    ]

    class Meta:
        ordering = ["-valid_to", "code"]
        constraints = [
            models.UniqueConstraint(
                Upper("code"),
                name="coupons_coupon_code_upper_unique",
                violation_error_message="A coupon with this code already exists.",
            ),
            models.CheckConstraint(
                condition=models.Q(discount__lte=100),
                name="coupons_coupon_discount_lte_100",
            ),
            models.CheckConstraint(
                condition=models.Q(min_order_total__gte=0),
                name="coupons_coupon_min_order_total_gte_0",
            ),
        ]

    def __str__(self):
        return f"{self.code} (−{self.discount} %)"

    def clean(self):
        super().clean()
        self.code = (self.code or "").strip().upper()
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValidationError({"valid_to": "Must be after “valid from”."})

    @property
    def uses_left(self) -> int | None:
        if self.max_uses is None:
            return None
        return max(0, self.max_uses - self.uses)
