import datetime
import io
import uuid

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordResetForm,
    UserCreationForm,
)
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageOps

from core.degrade import enqueue_on_commit
from core.ratelimit import client_ip

from .models import Profile
from .services import email_is_taken, password_reset_allowed

EMAIL_TAKEN = "An account with this e-mail address already exists."
# Member pages live at /people/<username>/ beside these routes.
RESERVED_USERNAMES = {"follow"}
PHOTO_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}


class PhotoField(forms.ImageField):
    """Django's ImageField, but a picture declaring more pixels than the site's
    limit (WAGTAILIMAGES_MAX_IMAGE_PIXELS, one limit for every upload) is refused
    from its header, before Pillow verifies or decodes anything, with a message
    that says why. Pillow's own guard (settings) refuses it too, but as "not a
    valid image"."""

    def to_python(self, data):
        if data and hasattr(data, "read"):
            self._check_pixels(data)
        return super().to_python(data)

    @staticmethod
    def _check_pixels(upload) -> None:
        limit = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
        too_many = forms.ValidationError(
            "The picture has too many pixels (the limit is "
            f"{round(limit / 1_000_000)} megapixels).",
            code="too_many_pixels",
        )
        try:
            with Image.open(upload) as probe:  # reads the header only
                width, height = probe.size
        except Image.DecompressionBombError as exc:
            raise too_many from exc
        except (OSError, ValueError, SyntaxError):
            return  # not a picture: ImageField says so
        finally:
            upload.seek(0)
        if width * height > limit:
            raise too_many


class LoginForm(AuthenticationForm):
    """Django's login form; the backend accepts a username or an e-mail."""

    username = forms.CharField(
        label="Username or e-mail",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "Please enter a correct username or e-mail and password. "
            "Note that the password is case-sensitive."
        ),
    }


class RegistrationForm(UserCreationForm):
    """Username, names, e-mail (required, unique in any case) and password twice.

    UserCreationForm brings the password validators and the case-insensitive
    username check.
    """

    email = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "first_name", "last_name", "email")

    def clean_username(self):
        username = super().clean_username()
        if username is None:  # already refused as taken
            return username
        # Logins accept an e-mail too: a username that looks like one could shadow
        # another member's address.
        if "@" in username:
            raise forms.ValidationError("A username cannot contain “@”.")
        if username.lower() in RESERVED_USERNAMES:
            raise forms.ValidationError("This username is not available.")
        return username

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email_is_taken(email=email):
            raise forms.ValidationError(EMAIL_TAKEN)
        return email


class UserEditForm(forms.ModelForm):
    email = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    class Meta:
        model = get_user_model()
        fields = ("first_name", "last_name", "email")

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email_is_taken(email=email, exclude_user=self.instance):
            raise forms.ValidationError(EMAIL_TAKEN)
        return email


class ProfileEditForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ("date_of_birth", "photo")
        field_classes = {"photo": PhotoField}
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/*"}),
        }

    def clean_date_of_birth(self):
        value = self.cleaned_data.get("date_of_birth")
        if value and value > datetime.date.today():
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if value and value.year < 1900:
            raise forms.ValidationError("Please enter a date after 1900.")
        return value

    def clean_photo(self):
        """Accept JPEG, PNG, GIF or WebP only, and re-encode it.

        PhotoField has already checked the pixel count and had Pillow verify the
        file. Re-encoding drops EXIF (phone photos carry GPS positions), any trailing
        payload, and shrinks the picture to what the pages show; a JPEG is decoded
        at the smallest scale still larger than that (draft mode).
        """
        photo = self.cleaned_data.get("photo")
        if not photo or not hasattr(photo, "image"):
            return photo  # unchanged, or cleared
        if photo.size > settings.ACCOUNTS_PHOTO_MAX_BYTES:
            limit = settings.ACCOUNTS_PHOTO_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"The photo must be smaller than {limit} MB.")
        if (photo.image.format or "").upper() not in PHOTO_FORMATS:
            raise forms.ValidationError("Upload a JPEG, PNG, GIF or WebP picture.")
        try:
            photo.seek(0)
            with Image.open(photo) as picture:
                side = settings.ACCOUNTS_PHOTO_MAX_SIDE
                picture.draft(None, (side, side))
                picture = ImageOps.exif_transpose(picture)
                has_alpha = picture.mode in ("RGBA", "LA", "P")
                picture = picture.convert("RGBA" if has_alpha else "RGB")
                picture.thumbnail((side, side))
                out = io.BytesIO()
                if has_alpha:
                    picture.save(out, format="PNG", optimize=True)
                    name, content_type = f"{uuid.uuid4().hex}.png", "image/png"
                else:
                    picture.save(out, format="JPEG", quality=85)
                    name, content_type = f"{uuid.uuid4().hex}.jpg", "image/jpeg"
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise forms.ValidationError(
                "This file could not be read as a picture."
            ) from exc
        return SimpleUploadedFile(name, out.getvalue(), content_type=content_type)


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the mail sent by a Celery task after commit, and
    none beyond the per-address and per-client limits (same answer either way)."""

    def save(self, domain_override=None, request=None, use_https=False, **kwargs):
        from .tasks import password_reset_mail

        email = self.cleaned_data["email"]
        ip = client_ip(request) if request is not None else "unknown"
        if not password_reset_allowed(email=email, client_ip=ip):
            return
        domain = domain_override or request.get_host()
        for user in self.get_users(email):
            # A broker outage is logged, the page answers as usual (core.degrade).
            enqueue_on_commit(password_reset_mail, user.pk, domain, use_https)
