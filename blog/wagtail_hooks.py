"""Admin: comment moderation (list, filter by post and state, bulk approve/hide)."""

from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import services
from .models import Comment


class CommentViewSet(SnippetViewSet):
    model = Comment
    icon = "comment"
    menu_label = "Comments"
    menu_order = 210
    add_to_admin_menu = True
    list_display = [
        "name",
        "post",
        "body",
        BooleanColumn("active", label="Approved"),
        "created",
    ]
    list_filter = ["active", "post"]
    list_per_page = 50
    ordering = ["-created"]
    search_fields = ["name", "email", "body"]
    search_backend_name = None  # plain ORM search: comments are not indexed
    copy_view_enabled = False
    inspect_view_enabled = True

    def get_queryset(self, request):
        return Comment.objects.select_related("post")


register_snippet(CommentViewSet)


class CommentModerationBulkAction(SnippetBulkAction):
    """Set `active` on the selected comments (approve or hide)."""

    models = [Comment]
    template_name = "blog/admin/confirm_bulk_moderation.html"
    make_active: bool

    def check_perm(self, snippet):
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", snippet
        )

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        changed = services.comments_set_active(
            comment_ids=[comment.pk for comment in objects], active=cls.make_active
        )
        return changed, 0

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "verb": self.display_name}


@hooks.register("register_bulk_action")
class ApproveCommentsBulkAction(CommentModerationBulkAction):
    display_name = "Approve"
    action_type = "approve"
    aria_label = "Approve selected comments"
    action_priority = 10
    make_active = True

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d comment approved.",
            "%(count)d comments approved.",
            num_parent_objects,
        ) % {"count": num_parent_objects}


@hooks.register("register_bulk_action")
class HideCommentsBulkAction(CommentModerationBulkAction):
    display_name = "Hide"
    action_type = "hide"
    aria_label = "Hide selected comments"
    action_priority = 20
    make_active = False

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d comment hidden.",
            "%(count)d comments hidden.",
            num_parent_objects,
        ) % {"count": num_parent_objects}
