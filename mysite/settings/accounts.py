"""Settings owned by the accounts app: sign-in (username or e-mail, Google), lockout,
passwords, members, follows and the activity stream."""

from .environment import env

AUTHENTICATION_BACKENDS = [
    # First: refuses locked-out credentials before any backend checks a password.
    "axes.backends.AxesStandaloneBackend",
    # Username or e-mail (case-insensitive); a ModelBackend, so permissions work.
    "accounts.backends.UsernameOrEmailBackend",
    "social_core.backends.google.GoogleOAuth2",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
LOGIN_URL = "/account/login/"
LOGIN_REDIRECT_URL = "/account/"
LOGOUT_REDIRECT_URL = "/"

# --- Lockout after repeated failed logins (django-axes) ---

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The real client behind a trusted proxy (TRUSTED_PROXIES), as rate limits see it.
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_ip_or_none"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Count "Ann", "ann@example.com" and "ANN@example.com" as the same account.
AXES_USERNAME_CALLABLE = "accounts.backends.lockout_username"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429

# Password-reset mails: (requests, seconds) per e-mail address and per client
# address (core.ratelimit.client_ip). Beyond either, no mail goes out; the page
# answers the same, so nobody learns whether an address has an account.
ACCOUNTS_PASSWORD_RESET_RATE_LIMITS = {
    "address": (
        env.int("PASSWORD_RESET_MAILS_PER_ADDRESS", default=3),
        env.int("PASSWORD_RESET_ADDRESS_WINDOW", default=3600),
    ),
    "ip": (
        env.int("PASSWORD_RESET_REQUESTS_PER_IP", default=10),
        env.int("PASSWORD_RESET_IP_WINDOW", default=3600),
    ),
}

# --- Members ---

ACCOUNTS_ACTIONS_ON_DASHBOARD = 20
ACCOUNTS_MEMBERS_PER_PAGE = 24
ACCOUNTS_PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Profile photos are re-encoded (EXIF stripped) to at most this many pixels a side.
ACCOUNTS_PHOTO_MAX_SIDE = 512


def _member_url(user) -> str:
    from django.urls import reverse  # URLconf is read lazily, after settings load

    return reverse("people:detail", args=[user.get_username()])


# Users have no get_absolute_url of their own: link them to their member page.
ABSOLUTE_URL_OVERRIDES = {"auth.user": _member_url}

# --- Google sign-in (social-auth) ---

SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = env.str("SOCIAL_AUTH_GOOGLE_OAUTH2_KEY", default="")
SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET = env.str(
    "SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET", default=""
)
# social-auth's default pipeline, deliberately WITHOUT associate_by_email (e-mails
# typed at registration here are not verified, so matching on them could hand one
# person's account to another). A Google account whose e-mail belongs to an existing
# member is refused with a message rather than creating a second account with the
# same e-mail; the member can log in and connect Google from the edit page. The
# profile comes from the post_save signal like every user's.
SOCIAL_AUTH_PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_names",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.auth_allowed",
    "social_core.pipeline.social_auth.social_user",
    "accounts.pipeline.refuse_taken_email",
    "social_core.pipeline.user.get_username",
    "social_core.pipeline.user.create_user",
    "social_core.pipeline.social_auth.associate_user",
    "social_core.pipeline.social_auth.load_extra_data",
    "social_core.pipeline.user.user_details",
    "accounts.pipeline.welcome",
)
SOCIAL_AUTH_URL_NAMESPACE = "accounts:social"
SOCIAL_AUTH_LOGIN_REDIRECT_URL = LOGIN_REDIRECT_URL
SOCIAL_AUTH_LOGIN_ERROR_URL = LOGIN_URL
SOCIAL_AUTH_REDIRECT_IS_HTTPS = env.bool("SOCIAL_AUTH_REDIRECT_IS_HTTPS", default=False)
SOCIAL_AUTH_GOOGLE_OAUTH2_USE_UNIQUE_USER_ID = True
