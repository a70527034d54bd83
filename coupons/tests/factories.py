from datetime import timedelta

import factory
from django.utils import timezone

from coupons.models import Coupon


class CouponFactory(factory.django.DjangoModelFactory):
    """A coupon usable now: 10 % off, no limits."""

    class Meta:
        model = Coupon

    code = factory.Sequence(lambda n: f"SAVE{n}")
    valid_from = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    valid_to = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    discount = 10
    active = True
