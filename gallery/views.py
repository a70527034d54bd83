import base64
import io
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from PIL import Image

from core import page_cache
from core.cache_tags import cache_depends
from core.converters import id64_or_none

from . import counters, fetcher, selectors, services
from .forms import BookmarkCreateForm
from .models import Bookmark

logger = logging.getLogger(__name__)


def bookmark_list(request):
    """Paginated cards; with ?fragment=1 just the cards of that page, for the
    infinite-scroll script (an empty answer tells it to stop)."""
    paginator = Paginator(
        selectors.bookmark_list(viewer=request.user), settings.GALLERY_PAGE_SIZE
    )
    paginator.count = selectors.bookmark_count()  # cached: no COUNT per render
    page_number = request.GET.get("page") or 1
    fragment = request.GET.get("fragment") == "1"
    try:
        page_obj = paginator.page(page_number)
    except (PageNotAnInteger, EmptyPage):
        page_cache.dont_store(request)
        cache_depends("bookmarks")
        if fragment:
            return render(request, "gallery/includes/bookmark_cards.html", {})
        page_obj = paginator.page(
            paginator.num_pages if _is_past_end(page_number) else 1
        )
    page_cache.paginated(request, page_obj)
    context = {"page_obj": page_obj, "bookmarks": page_obj.object_list}
    # The list, its owners' names and each card's like count.
    cache_depends("bookmarks", "members", *(f"bookmark:{b.pk}" for b in page_obj))
    if fragment:
        return render(request, "gallery/includes/bookmark_cards.html", context)
    return render(request, "gallery/bookmark_list.html", context)


def _is_past_end(page_number) -> bool:
    try:
        return int(page_number) > 1
    except (TypeError, ValueError):
        return False


def bookmark_detail(request, pk: int, slug: str):
    try:
        bookmark = selectors.bookmark_detail(pk=pk)
    except Bookmark.DoesNotExist as exc:
        raise Http404("No such bookmark") from exc
    if slug != bookmark.slug:
        return redirect(bookmark, permanent=True)
    cache_depends(f"bookmark:{bookmark.pk}", "members")
    likers = list(bookmark.users_like.all())
    bookmark.is_liked = request.user.is_authenticated and any(
        u.pk == request.user.pk for u in likers
    )
    context = {
        "bookmark": bookmark,
        "likers": likers,
        # Counted on every view, also when the page comes from the page cache.
        "views_html": page_cache.live_fragment(
            request, "gallery.views.bookmark_views_html", bookmark_id=bookmark.pk
        ),
    }
    return render(request, "gallery/bookmark_detail.html", context)


def bookmark_views_html(*, bookmark_id: int) -> str:
    """Record one view and render the counter (a live fragment of the detail page)."""
    total_views = counters.view_record(bookmark_id=bookmark_id)
    return render_to_string(
        "gallery/includes/bookmark_views.html", {"total_views": total_views}
    )


def ranking(request):
    # Views are counted in Redis without invalidating anything: kept briefly.
    page_cache.cache_seconds(request, settings.PAGE_CACHE_RANKING_SECONDS)
    cache_depends("bookmarks", "members")
    ranked = counters.ranking_top(limit=10)
    return render(
        request,
        "gallery/ranking.html",
        {
            "unavailable": ranked is None,
            "bookmarks": selectors.bookmark_ranking(ranked or []),
        },
    )


def bookmarklet(request):
    """The page offering the "Bookmark it" link; its script comes from our origin."""
    origin = request.build_absolute_uri("/").rstrip("/")
    script = request.build_absolute_uri(static("gallery/js/bookmarklet.js"))
    link = (
        "javascript:(function(){var s=document.createElement('script');"
        f"s.src='{script}?r='+Date.now();s.dataset.origin='{origin}';"
        "document.body.appendChild(s);})();"
    )
    return render(request, "gallery/bookmarklet.html", {"bookmarklet_href": link})


@login_required
def bookmark_create(request):
    """Save an image picked by the bookmarklet (GET ?url=&title= prefills)."""
    preview = preview_error = None
    if request.method == "POST":
        form = BookmarkCreateForm(request.POST)
        if form.is_valid():
            try:
                bookmark = services.bookmark_create_from_url(
                    owner=request.user, **form.cleaned_data
                )
            except fetcher.FetchError as exc:
                form.add_error("url", str(exc))
            else:
                messages.success(request, "Bookmark saved.")
                return redirect(bookmark)
    else:
        form = BookmarkCreateForm(
            initial={
                "url": request.GET.get("url", "")[:2000],
                "title": request.GET.get("title", "")[:200],
            }
        )
        url = request.GET.get("url")
        if url:
            try:
                preview = _preview(url)
            except fetcher.FetchError as exc:
                preview_error = str(exc)
    return render(
        request,
        "gallery/bookmark_create.html",
        {"form": form, "preview": preview, "preview_error": preview_error},
    )


def _preview(url: str) -> dict:
    """Fetch the image (same hardened path) and return a small data: URI to show,
    so the page loads nothing from the other site, with its width and height (the
    page does not jump when it is decoded)."""
    fetched = fetcher.fetch_image(url)
    with Image.open(io.BytesIO(fetched.content)) as picture:
        picture.thumbnail((480, 480))
        out = io.BytesIO()
        picture.convert("RGB").save(out, format="JPEG", quality=80)
        width, height = picture.size
    src = "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()
    return {"src": src, "width": width, "height": height}


def like(request):
    """POST id + action (like|unlike) → JSON {"status": "ok", "likes": N}."""
    if request.method != "POST":
        return JsonResponse({"status": "error", "error": "POST only"}, status=405)
    if not request.user.is_authenticated:
        return JsonResponse(
            {"status": "error", "error": "Log in to like bookmarks."}, status=401
        )
    action = request.POST.get("action")
    if action not in {"like", "unlike"}:
        return JsonResponse(
            {"status": "error", "error": "action must be like or unlike"}, status=400
        )
    pk = id64_or_none(request.POST.get("id", ""))
    bookmark = Bookmark.objects.only("pk").filter(pk=pk).first() if pk else None
    if bookmark is None:
        return JsonResponse(
            {"status": "error", "error": "No such bookmark."}, status=404
        )
    service = services.bookmark_like if action == "like" else services.bookmark_unlike
    likes = service(bookmark=bookmark, user=request.user)
    return JsonResponse({"status": "ok", "likes": likes, "liked": action == "like"})
