"""One pixel limit (WAGTAILIMAGES_MAX_IMAGE_PIXELS) for every image the site takes
in, checked from the file's header before any pixel is decoded.

The member-facing paths have their own tests (accounts: profile photo; gallery:
bookmarks through the fetcher); these cover the Wagtail admin (single and multiple
image upload, the editor's avatar) and Pillow's own guard, which the settings tie
to the same limit so that an image opened anywhere else is refused too.

`pixel_bomb`, `png_of` and `decoded_sizes` come from the root conftest: a real
13000 × 13000 PNG of about 20 KB, real PNGs of any size, and a record of what
Pillow decodes that fails the test instead of decoding anything over the limit.
"""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from wagtail.admin.forms.account import AvatarPreferencesForm
from wagtail.images import get_image_model
from wagtail.users.models import UserProfile

pytestmark = pytest.mark.django_db

LIMIT = 40_000_000


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "editor", "editor@example.com", "pw-for-tests-123"
    )
    client.force_login(user)
    return user


def upload(content: bytes, name="bomb.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "image/png")


def test_the_site_limit_is_forty_megapixels(settings):
    assert settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS == LIMIT
    assert settings.GALLERY_FETCH_MAX_PIXELS == LIMIT


# Silenced in the settings; pytest shows warnings again.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_pillow_refuses_to_open_any_image_over_the_site_limit(pixel_bomb, png_of):
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(pixel_bomb))
    # Just over the limit is refused, the limit itself opens (header only).
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(png_of(LIMIT // 5000 + 1, 5000)))
    with Image.open(io.BytesIO(png_of(LIMIT // 5000, 5000))) as at_limit:
        assert at_limit.size == (8000, 5000)


def test_admin_image_upload_refuses_a_pixel_bomb_before_decoding(
    client, editor, pixel_bomb, decoded_sizes
):
    response = client.post(
        "/admin/images/add/", {"title": "Bomb", "file": upload(pixel_bomb)}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert any("This file has too many pixels" in error for error in errors), errors
    assert not get_image_model().objects.exists()
    assert decoded_sizes == []


def test_admin_multiple_upload_refuses_a_pixel_bomb_before_decoding(
    client, editor, pixel_bomb, decoded_sizes
):
    response = client.post(
        "/admin/images/multiple/add/", {"files[]": upload(pixel_bomb)}
    )
    assert response.status_code == 200
    answer = json.loads(response.content)
    assert answer["success"] is False
    assert "too many pixels" in answer["error_message"]
    assert not get_image_model().objects.exists()
    assert decoded_sizes == []


def test_admin_image_upload_within_the_limit_still_works(client, editor, png_of):
    response = client.post(
        "/admin/images/add/", {"title": "Wide", "file": upload(png_of(4000, 3000))}
    )
    assert response.status_code == 302
    image = get_image_model().objects.get()
    assert (image.width, image.height) == (4000, 3000)


def test_editor_avatar_refuses_a_pixel_bomb_before_decoding(
    client, editor, pixel_bomb, decoded_sizes
):
    """Wagtail's avatar form resizes the upload, which decodes it in full: only
    Pillow's guard stops a bomb there, with Django's "valid image" error (which
    Wagtail's avatar panel does not display: the page comes back unchanged)."""
    response = client.post(
        "/admin/account/",
        {
            "name_email-first_name": "Eda",
            "name_email-last_name": "Tor",
            "name_email-email": editor.email,
            "locale-current_time_zone": "Europe/London",
            "theme-theme": "system",
            "theme-density": "default",
            "theme-contrast": "system",
            "avatar-avatar": upload(pixel_bomb),
        },
    )
    assert response.status_code == 200  # the form again, not saved, no 500
    profile = UserProfile.get_for_user(editor)
    assert not profile.avatar
    form = AvatarPreferencesForm(
        data={}, files={"avatar": upload(pixel_bomb)}, instance=profile
    )
    assert not form.is_valid()
    assert "Upload a valid image" in form.errors["avatar"][0]
    assert decoded_sizes == []
