"""Signal receivers of the site's infrastructure.

The page cache is invalidated on every change an anonymous reader could see.
Deny-list rather than allow-list: a model added later invalidates by default, so an
editor never sees a stale page because someone forgot to register a model. Listed
here are only models whose writes are invisible on public pages or happen as a side
effect of reading them (renditions, search hits, sessions, logs, orders).
"""

from django.apps import apps
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.signals import (
    page_published,
    page_slug_changed,
    page_unpublished,
    post_page_move,
)

from . import page_cache

IGNORED_APPS = {
    "admin",
    "axes",
    "contenttypes",
    "orders",  # orders and their lines are never on public pages
    "sessions",
    "social_django",
    "wagtailadmin",  # editing-session pings while an editor types
    "wagtailsearch",
    "wagtailsearchpromotions",  # search hits are saved on every search
    "wagtailusers",
}
IGNORED_MODELS = {
    "wagtailcore.revision",  # drafts; publishing sends page_published
    "wagtailcore.pagelogentry",
    "wagtailcore.modellogentry",
    "wagtailcore.pagesubscription",
    "wagtailcore.taskstate",
    "wagtailcore.workflowstate",
    "wagtailcore.comment",  # editors' comments in the admin
    "wagtailcore.commentreply",
    "wagtailcore.pagelock",
    "wagtailcore.referenceindex",
    "wagtailcore.uploadedfile",
    "wagtailembeds.embed",  # filled while rendering
    "wagtailimages.rendition",  # created while rendering
}


def _ignored(model) -> bool:
    meta = model._meta
    return meta.app_label in IGNORED_APPS or meta.label_lower in IGNORED_MODELS


def _saved(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) == {"last_login"}:
        return  # a login changes nothing a reader sees
    page_cache.invalidate()


def _m2m_changed(sender, instance, action, **kwargs) -> None:
    if action.startswith("post_") and not _ignored(type(instance)):
        page_cache.invalidate()


def _remember_admin_access(sender, request, user, **kwargs) -> None:
    """Decide once per login whether the Wagtail userbar shows (see core_tags)."""
    from .templatetags.core_tags import ADMIN_ACCESS_SESSION_KEY

    if request is not None and hasattr(request, "session"):
        allowed = user.has_perm("wagtailadmin.access_admin")
        request.session[ADMIN_ACCESS_SESSION_KEY] = allowed


def _enqueue_renditions(sender, instance, **kwargs) -> None:
    """Render the thumbnails list pages will ask for, in the worker, after commit."""
    from .degrade import enqueue_on_commit
    from .tasks import renditions_create

    field, specs = settings.PRERENDER_RENDITIONS[sender._meta.label]
    image_id = getattr(instance, f"{field}_id")
    if image_id is not None:
        # A broker outage must not turn a saved row into an error page: logged once
        # a minute; list pages then render the thumbnails on first view.
        enqueue_on_commit(renditions_create, image_id=image_id, specs=list(specs))


def connect() -> None:
    """Per model, so models we ignore keep Django's fast (signal-free) deletes."""
    for model in apps.get_models():
        if _ignored(model):
            continue
        uid = f"page-cache-{model._meta.label_lower}"
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(
            page_cache.invalidate, sender=model, dispatch_uid=f"{uid}-delete"
        )
    for label in settings.PRERENDER_RENDITIONS:
        post_save.connect(
            _enqueue_renditions,
            sender=apps.get_model(label),
            dispatch_uid=f"core-renditions-{label}",
        )
    user_logged_in.connect(_remember_admin_access, dispatch_uid="core-admin-access")
    m2m_changed.connect(_m2m_changed, dispatch_uid="page-cache-m2m")
    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        signal.connect(page_cache.invalidate, dispatch_uid=f"page-cache-{signal!r}")
