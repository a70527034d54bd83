"""Steps added to social-auth's pipeline (SOCIAL_AUTH_PIPELINE in settings)."""

import logging

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.urls import reverse

from .models import Action
from .services import action_create

logger = logging.getLogger(__name__)


def refuse_taken_email(strategy, details, backend, user=None, *args, **kwargs):
    """Stop a first Google sign-in whose e-mail already belongs to a member.

    Runs after `social_user`: `user` is set when this Google account is already
    connected (or someone is logged in and connecting it), and then nothing is checked.
    Otherwise creating a user would give two accounts one e-mail, and associating by
    e-mail would let whoever typed that address here first own the Google account's
    sign-in. The member logs in with their password instead (or resets it).
    """
    if user is not None:
        return None
    email = (details.get("email") or "").strip()
    if email and get_user_model()._default_manager.filter(email__iexact=email).exists():
        logger.info("Google sign-in refused: e-mail already used by an account")
        messages.error(
            strategy.request,
            "An account with this e-mail address already exists. Log in with your "
            "username or e-mail and password (or reset the password), then connect "
            "Google from your profile page.",
        )
        return redirect(reverse("accounts:login"))
    return None


def welcome(strategy, user=None, is_new=False, *args, **kwargs):
    """Confirm the sign-in, and put a Google sign-up in the activity stream."""
    if user is None:
        return
    name = user.get_short_name() or user.get_username()
    if is_new:
        action_create(user=user, verb=Action.Verb.ACCOUNT_CREATED)
        messages.success(
            strategy.request, f"Welcome, {name}: your account has been created."
        )
    else:
        messages.success(strategy.request, f"Welcome back, {name}.")
