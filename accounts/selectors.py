"""Reads that span relations: members with their follow counts, the activity stream."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Action, Contact


def _count_of(queryset, field: str):
    """A correlated COUNT subquery (two Count() joins would multiply each other)."""
    counted = queryset.order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), Value(0))


def member_list():
    """Active members with their profile, for the paginated members page."""
    return (
        get_user_model()
        ._default_manager.filter(is_active=True)
        .select_related("profile")
        .order_by("username")
    )


def member_get(*, username: str):
    """One active member with profile, follower and following counts (one query).

    Raises DoesNotExist when there is no such active member.
    """
    return (
        member_list()
        .annotate(
            followers_count=_count_of(
                Contact.objects.filter(user_to=OuterRef("pk")), "user_to"
            ),
            following_count=_count_of(
                Contact.objects.filter(user_from=OuterRef("pk")), "user_from"
            ),
        )
        .get(username=username)
    )


def followers_count(*, user) -> int:
    return Contact.objects.filter(user_to=user).count()


def is_following(*, user_from, user_to) -> bool:
    if not user_from.is_authenticated:
        return False
    return Contact.objects.filter(user_from=user_from, user_to=user_to).exists()


def dashboard_actions(*, user, limit: int | None = None):
    """The latest actions of the people `user` follows, or `user`'s own if none.

    The user and profile come in the same query and the targets in one query per
    kind of target, so the page costs the same for 3 actions or 30.
    """
    limit = limit or settings.ACCOUNTS_ACTIONS_ON_DASHBOARD
    following = Contact.objects.filter(user_from=user).values("user_to")
    actions = Action.objects.all()
    if Contact.objects.filter(user_from=user).exists():
        actions = actions.filter(user__in=following)
    else:
        actions = actions.filter(user=user)
    return list(
        actions.select_related("user", "user__profile", "target_ct")
        .prefetch_related("target")
        .order_by("-created", "-pk")[:limit]
    )
