import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from .models import Action

ACTION_DEDUPE_WINDOW = datetime.timedelta(seconds=60)


def action_create(*, user, verb: str, target=None) -> Action | None:
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
