"""Editors moderate bookmarks in the admin: list, search, filter, edit, delete."""

from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Bookmark


class BookmarkViewSet(SnippetViewSet):
    model = Bookmark
    icon = "image"
    menu_label = "Bookmarks"
    menu_order = 300
    add_to_admin_menu = True
    list_display = [
        "title",
        Column("owner", label="Owner"),
        DateColumn("created", label="Created"),
        Column("total_likes", label="Likes", sort_key="total_likes"),
    ]
    list_filter = ["owner", "created"]
    search_fields = ["title", "description"]
    ordering = ["-created"]
    list_per_page = 50

    def get_queryset(self, request):
        return Bookmark.objects.select_related("owner")


register_snippet(BookmarkViewSet)
