import datetime
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from .factories import UserFactory, image_bytes

pytestmark = pytest.mark.django_db

URL = "/account/edit/"


def form(**overrides):
    data = {
        "first_name": "Annie",
        "last_name": "Archer",
        "email": "annie@example.com",
        "date_of_birth": "1990-04-01",
    }
    data.update(overrides)
    return data


def test_edit_needs_login(client):
    assert client.get(URL).url == "/account/login/?next=/account/edit/"


def test_member_updates_names_email_birthday_and_photo(client, member):
    client.force_login(member)
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    photo = SimpleUploadedFile(
        "me.jpg", image_bytes(size=(1600, 1200), exif=exif.tobytes()), "image/jpeg"
    )
    response = client.post(URL, form(photo=photo), follow=True)
    assert "Your profile has been updated." in response.content.decode()
    member.refresh_from_db()
    assert (member.first_name, member.email) == ("Annie", "annie@example.com")
    profile = member.profile
    assert profile.date_of_birth == datetime.date(1990, 4, 1)
    with Image.open(profile.photo.path) as saved:
        assert saved.format == "JPEG"
        assert max(saved.size) == 512  # re-encoded, shrunk
        assert not saved.getexif()  # metadata dropped
    assert "me.jpg" not in profile.photo.name  # no user-chosen file names on disk


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (("notes.jpg", b"this is text, not a picture", "image/jpeg"), "Upload a valid"),
        (("fake.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png"), "Upload a valid"),
        (("pic.bmp", image_bytes("BMP"), "image/bmp"), "JPEG, PNG, GIF or WebP"),
    ],
)
def test_a_file_that_is_not_an_accepted_picture_is_a_form_error(
    client, member, upload, message
):
    client.force_login(member)
    response = client.post(URL, form(photo=SimpleUploadedFile(*upload)))
    assert response.status_code == 200
    assert message in response.content.decode()
    member.refresh_from_db()
    assert member.first_name == "Ann"  # nothing saved
    assert not member.profile.photo


TOO_MANY_PIXELS = "The picture has too many pixels (the limit is 40 megapixels)."


def test_a_photo_with_too_many_pixels_is_refused_before_decoding(
    client, member, pixel_bomb, decoded_sizes
):
    """A 20 KB PNG of 13000 × 13000 pixels (a gigabyte once decoded for the
    thumbnail) is a form error, and no pixel of it is decoded."""
    client.force_login(member)
    upload = SimpleUploadedFile("bomb.png", pixel_bomb, "image/png")
    response = client.post(URL, form(photo=upload))
    assert response.status_code == 200
    assert TOO_MANY_PIXELS in response.content.decode()
    assert decoded_sizes == []
    member.refresh_from_db()
    assert member.first_name == "Ann"  # nothing saved
    assert not member.profile.photo


def test_a_header_declaring_billions_of_pixels_is_the_same_form_error(
    client, member, decoded_sizes
):
    """Past Pillow's own refusal too: the member still reads why."""
    data = bytearray(image_bytes("PNG", size=(1, 1)))
    data[16:24] = (100_000).to_bytes(4, "big") * 2  # IHDR width and height
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    client.force_login(member)
    upload = SimpleUploadedFile("huge.png", bytes(data), "image/png")
    response = client.post(URL, form(photo=upload))
    assert response.status_code == 200
    assert TOO_MANY_PIXELS in response.content.decode()
    assert decoded_sizes == []


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(client, member, decoded_sizes):
    """A 12-megapixel phone photo is decoded at a quarter of its sides (JPEG
    draft mode), which is still more than the 512 px the pages show."""
    client.force_login(member)
    photo = SimpleUploadedFile("big.jpg", image_bytes(size=(4000, 3000)), "image/jpeg")
    client.post(URL, form(photo=photo))
    member.refresh_from_db()
    with Image.open(member.profile.photo.path) as saved:
        assert saved.size == (512, 384)
    assert (4000, 3000) not in decoded_sizes
    assert (1000, 750) in decoded_sizes


def test_email_of_another_member_in_any_case_is_refused(client, member, other):
    client.force_login(member)
    response = client.post(URL, form(email="BOB@example.com"))
    assert "An account with this e-mail address already exists." in (
        response.content.decode()
    )
    member.refresh_from_db()
    assert member.email == "Ann@Example.com"


def test_keeping_your_own_email_in_another_case_is_fine(client, member):
    client.force_login(member)
    client.post(URL, form(email="ann@example.com"))
    member.refresh_from_db()
    assert member.email == "ann@example.com"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2999-01-01", "cannot be in the future"),
        ("1850-01-01", "after 1900"),
        ("31/02/2000", "Enter a valid date"),
    ],
)
def test_bad_dates_of_birth_are_form_errors(client, member, value, message):
    client.force_login(member)
    response = client.post(URL, form(date_of_birth=value))
    assert message in response.content.decode()
    member.refresh_from_db()
    assert member.profile.date_of_birth is None


def test_a_user_without_profile_can_still_edit(client):
    user = UserFactory(username="raw")
    user.profile.delete()
    client.force_login(user)
    assert client.get(URL).status_code == 200


def test_a_replaced_photo_is_removed_from_storage(client, member):
    client.force_login(member)
    first = SimpleUploadedFile("a.png", image_bytes("PNG"), "image/png")
    client.post(URL, form(photo=first))
    member.refresh_from_db()
    old_path = member.profile.photo.path
    second = SimpleUploadedFile("b.webp", image_bytes("WEBP"), "image/webp")
    client.post(URL, form(photo=second))
    member.refresh_from_db()
    assert member.profile.photo.path != old_path
    assert member.profile.photo.storage.exists(member.profile.photo.name)
    assert not member.profile.photo.storage.exists(old_path)
