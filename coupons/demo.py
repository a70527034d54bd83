"""Demo coupon WELCOME10: 10 % off, active, valid for years (idempotent)."""

from datetime import timedelta

from django.utils import timezone

from .models import Coupon

WELCOME = "WELCOME10"


def load(command) -> None:
    now = timezone.now()
    _, created = Coupon.objects.get_or_create(
        code__iexact=WELCOME,
        defaults={
            "code": WELCOME,
            "discount": 10,
            "active": True,
            "valid_from": now - timedelta(days=1),
            "valid_to": now + timedelta(days=5 * 365),
        },
    )
    command.stdout.write(
        f"Coupons: {WELCOME} (10 % off){' created' if created else ' already there'}."
    )
