"""Signal receivers of the site's infrastructure.

Cache invalidation (core.cache_tags): every write maps to the dependency tags of what
it changes, in one table, MODEL_TAGS (model label → function of the saved or deleted
row → tags); the writes that send no signal (UPDATE in services) invalidate their
tags where they happen (shop.services stock, blog.services bulk moderation). README
"Caching" shows the same table with the pages depending on each tag.

Deny-list rather than allow-list: a model missing from MODEL_TAGS invalidates "site"
(everything), so an editor never sees a stale page because someone forgot to map a
model. Ignored entirely are only models whose writes are invisible on public pages or
happen as a side effect of reading them (renditions, search hits, sessions, logs,
orders).
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

from .cache_tags import SITE, invalidate

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


# --- Which tags a write invalidates -------------------------------------------------
# f(instance, created) → tags; created is None for a delete. Labels, not imports:
# core imports no app.


def _page(page, created):
    # Wagtail's signals may send a plain Page: its specific class decides the kind.
    model = getattr(page, "specific_class", None) or type(page)
    kind = "posts" if model._meta.label_lower == "blog.blogpage" else "pages"
    return (f"page:{page.pk}", kind, "pages")


def _comment(comment, created):
    if not comment.active and created is not False:
        return ()  # a pending comment created or deleted: shown nowhere
    return (f"page:{comment.post_id}", "comments")


def _bookmark(bookmark, created):
    return (
        f"bookmark:{bookmark.pk}",
        "bookmarks",
        "likes",
        f"member:{bookmark.owner_id}",
    )


def _image(image, created):
    return () if created else (SITE,)  # a new one shows nowhere until used


MODEL_TAGS = {
    "home.homepage": _page,
    "blog.blogindexpage": _page,
    "blog.blogpage": _page,
    "wagtailcore.page": _page,
    "blog.blogpagetag": lambda item, created: (
        f"page:{item.content_object_id}",
        "posts",
    ),
    "taggit.tag": lambda tag, created: ("posts",),
    "blog.comment": _comment,
    "gallery.bookmark": _bookmark,
    "accounts.profile": lambda p, created: (f"member:{p.user_id}", "members"),
    "accounts.contact": lambda c, created: (
        f"member:{c.user_from_id}",
        f"member:{c.user_to_id}",
    ),
    "accounts.action": lambda action, created: (),  # the members' own dashboard
    "auth.user": lambda user, created: (
        (f"member:{user.pk}", "members") if created is not None else (SITE,)
    ),
    "shop.product": lambda p, created: (f"product:{p.pk}", "products"),
    "shop.category": lambda c, created: (f"category:{c.pk}", "products"),
    "coupons.coupon": lambda coupon, created: (),  # only in carts and orders
    "wagtailforms.formsubmission": lambda submission, created: (),
    "wagtailimages.image": _image,
    "wagtaildocs.document": _image,
    "wagtailcore.collection": _image,  # a new collection is empty
}


def model_tags(instance, created) -> tuple[str, ...]:
    """The tags a save (created True/False) or delete (None) of `instance`
    invalidates; "site" for a model nobody mapped."""
    mapping = MODEL_TAGS.get(instance._meta.label_lower)
    return (SITE,) if mapping is None else tuple(mapping(instance, created))


def _saved(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) == {"last_login"}:
        return  # a login changes nothing a reader sees
    invalidate(*model_tags(instance, created))


def _deleted(sender, instance, **kwargs) -> None:
    invalidate(*model_tags(instance, None))


def _m2m_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not action.startswith("post_") or _ignored(type(instance)):
        return
    if sender._meta.label_lower == "gallery.bookmark_users_like":
        # A like: that bookmark's count (wherever its card shows) and what is
        # ordered by likes; not the lists of bookmarks.
        if not reverse:
            invalidate(f"bookmark:{instance.pk}", "likes")
        elif pk_set is not None:
            invalidate(*(f"bookmark:{pk}" for pk in pk_set), "likes")
        else:
            invalidate(SITE)  # a member's likes cleared: which ones is unknown here
        return
    invalidate(*model_tags(instance, False))


def _page_changed(sender, instance, **kwargs) -> None:
    """Published or unpublished: the page, its parent's lists, its kind's lists."""
    parent = instance.get_parent()
    invalidate(*_page(instance, False), *([f"page:{parent.pk}"] if parent else []))


def _page_moved(sender, instance, **kwargs) -> None:
    """Moved or renamed: every URL below it changed too."""
    if instance.numchild:
        invalidate(SITE)
        return
    parents = [kwargs.get("parent_page_before"), kwargs.get("parent_page_after")]
    parent_tags = [f"page:{p.pk}" for p in parents if p is not None]
    if not parent_tags and (parent := instance.get_parent()) is not None:
        parent_tags = [f"page:{parent.pk}"]
    invalidate(*_page(instance, False), *parent_tags)


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
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}-delete")
    for label in settings.PRERENDER_RENDITIONS:
        post_save.connect(
            _enqueue_renditions,
            sender=apps.get_model(label),
            dispatch_uid=f"core-renditions-{label}",
        )
    user_logged_in.connect(_remember_admin_access, dispatch_uid="core-admin-access")
    m2m_changed.connect(_m2m_changed, dispatch_uid="page-cache-m2m")
    for signal in (page_published, page_unpublished):
        signal.connect(_page_changed, dispatch_uid=f"page-cache-{signal!r}")
    for signal in (page_slug_changed, post_page_move):
        signal.connect(_page_moved, dispatch_uid=f"page-cache-{signal!r}")
