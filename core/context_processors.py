from django.conf import settings


def site_features(request):
    """Flags templates need to show or hide features that depend on configuration."""
    return {
        "google_login_enabled": bool(settings.SOCIAL_AUTH_GOOGLE_OAUTH2_KEY),
    }
