"""Receivers of other apps' signals that concern orders' rows."""

from django.conf import settings
from django.db.models.signals import pre_delete
from django.dispatch import receiver


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="orders.member")
def member_orders_keep(sender, instance, **kwargs):
    """A member's account is deleted (by whatever path: admin, shell, a future
    "delete my account"): their orders stay, anonymised, before the foreign key is
    set to NULL."""
    from .services.members import member_orders_anonymise

    member_orders_anonymise(user=instance)
