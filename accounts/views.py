import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from core import page_cache
from core.cache_tags import cache_depends

from . import selectors
from .forms import (
    EMAIL_TAKEN,
    LoginForm,
    ProfileEditForm,
    QueuedPasswordResetForm,
    RegistrationForm,
    UserEditForm,
)
from .models import Profile
from .services import (
    EmailTaken,
    contact_follow,
    contact_unfollow,
    user_register,
    user_update_details,
)

logger = logging.getLogger(__name__)

# Registration logs the new member in with the password backend explicitly: several
# backends are configured, so Django cannot guess.
LOGIN_BACKEND = "accounts.backends.UsernameOrEmailBackend"


@login_required
def dashboard(request):
    actions = selectors.dashboard_actions(user=request.user)
    return render(request, "accounts/dashboard.html", {"actions": actions})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        messages.success(
            self.request, f"Welcome back, {user.get_short_name() or user.username}."
        )
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django's own rule); the message survives the session flush in the
    message cookie."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have been logged out.")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been set. Please log in.")
        return response


def register(request):
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_register(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except EmailTaken:
            form.add_error("email", EMAIL_TAKEN)
        else:
            login(request, user, backend=LOGIN_BACKEND)
            messages.success(
                request,
                f"Welcome, {user.get_short_name() or user.username}: "
                "your account has been created.",
            )
            return redirect("accounts:dashboard")
    return render(request, "accounts/register.html", {"form": form})


@login_required
def edit(request):
    # get_or_create: users loaded raw (fixtures) skipped the signal.
    profile, _ = Profile.objects.get_or_create(user=request.user)
    old_photo = profile.photo.name  # before validation copies the upload onto it
    user_form = UserEditForm(instance=request.user, data=request.POST or None)
    profile_form = ProfileEditForm(
        instance=profile, data=request.POST or None, files=request.FILES or None
    )
    if request.method == "POST" and user_form.is_valid() and profile_form.is_valid():
        try:
            with transaction.atomic():
                user_update_details(
                    user=request.user,
                    first_name=user_form.cleaned_data["first_name"],
                    last_name=user_form.cleaned_data["last_name"],
                    email=user_form.cleaned_data["email"],
                )
                profile_form.save()
        except EmailTaken:
            user_form.add_error("email", EMAIL_TAKEN)
        else:
            if old_photo and old_photo != profile.photo.name:
                profile.photo.storage.delete(old_photo)  # replaced or cleared
            messages.success(request, "Your profile has been updated.")
            return redirect("accounts:edit")
    if request.method == "POST" and (user_form.errors or profile_form.errors):
        messages.error(request, "Please correct the errors below.")
    social_google = request.user.social_auth.filter(provider="google-oauth2").first()
    return render(
        request,
        "accounts/edit.html",
        {
            "user_form": user_form,
            "profile_form": profile_form,
            "social_google": social_google,
        },
    )


def member_list(request):
    paginator = Paginator(selectors.member_list(), settings.ACCOUNTS_MEMBERS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    page_cache.paginated(request, page_obj)
    cache_depends("members")
    return render(
        request,
        "accounts/member_list.html",
        {"page_obj": page_obj, "members": page_obj},
    )


def member_detail(request, username):
    try:
        member = selectors.member_get(username=username)
    except get_user_model().DoesNotExist:
        raise Http404("No such member.") from None
    cache_depends(f"member:{member.pk}")
    context = {
        "member": member,
        "is_following": selectors.is_following(user_from=request.user, user_to=member),
    }
    return render(request, "accounts/member_detail.html", context)


def _wants_json(request) -> bool:
    return request.headers.get(
        "X-Requested-With"
    ) == "XMLHttpRequest" or "application/json" in request.headers.get("Accept", "")


def _error(request, message: str, status: int, redirect_to: str | None = None):
    if not _wants_json(request) and redirect_to:
        messages.error(request, message)
        return redirect(redirect_to)
    return JsonResponse({"status": "error", "error": message}, status=status)


@require_POST
def follow(request):
    """Follow or unfollow a member: JSON for the page's script, a redirect back to
    the member page for a plain form post (the button works without JavaScript)."""
    if not request.user.is_authenticated:
        if _wants_json(request):
            return JsonResponse(
                {"status": "error", "error": "Please log in to follow members."},
                status=401,
            )
        return redirect(f"{settings.LOGIN_URL}?next={reverse('people:list')}")
    action = request.POST.get("action")
    if action not in {"follow", "unfollow"}:
        return _error(request, "Unknown action.", 400)
    try:
        member_id = int(request.POST.get("id", ""))
    except ValueError:
        return _error(request, "A member id is required.", 400)
    User = get_user_model()
    member = User._default_manager.filter(pk=member_id, is_active=True).first()
    if member is None:
        return _error(request, "No such member.", 404)
    back = member.get_absolute_url()
    if member.pk == request.user.pk:
        return _error(request, "You cannot follow yourself.", 400, back)
    if action == "follow":
        contact_follow(user_from=request.user, user_to=member)
    else:
        contact_unfollow(user_from=request.user, user_to=member)
    followers = selectors.followers_count(user=member)
    if not _wants_json(request):
        verb = "now follow" if action == "follow" else "no longer follow"
        messages.success(request, f"You {verb} {member.username}.")
        return redirect(back)
    return JsonResponse({"status": "ok", "action": action, "followers": followers})
