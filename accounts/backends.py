"""Sign-in by username or e-mail, and the name django-axes counts failures under."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


def users_matching_login(login: str):
    """Users whose username is `login` or whose e-mail is `login` in any case."""
    User = get_user_model()
    return User._default_manager.filter(
        Q(**{User.USERNAME_FIELD: login}) | Q(email__iexact=login)
    )


class UsernameOrEmailBackend(ModelBackend):
    """Authenticate with a username or an e-mail address (case-insensitive).

    E-mails are unique by validation, not by a database constraint (the auth table is
    Django's), so a login that matches more than one account is refused rather than
    guessed at.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        login = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if not login or password is None:
            return None
        candidates = list(users_matching_login(login.strip())[:2])
        if len(candidates) != 1:
            # Hash anyway so "no such user" and "ambiguous" take as long as a
            # wrong password (ModelBackend does the same).
            User().set_password(password)
            return None
        user = candidates[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def lockout_username(request, credentials=None) -> str:
    """The name failed logins are counted under (AXES_USERNAME_CALLABLE).

    The same account typed as its username or as its e-mail in any case counts as one,
    so switching spellings does not buy extra attempts. Unknown names are lower-cased
    as typed, which reveals nothing about which accounts exist.
    """
    if credentials is not None:
        login = credentials.get("username")
    else:
        login = getattr(request, "POST", {}).get("username")
    login = (login or "").strip()
    if not login:
        return ""
    usernames = list(users_matching_login(login).values_list("username", flat=True)[:2])
    if len(usernames) == 1:
        return usernames[0].lower()
    return login.lower()
