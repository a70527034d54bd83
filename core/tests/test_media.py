"""Production media: /media/ off by default in production, and never a way around
Wagtail's private collections for documents."""

import os
import secrets
import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

from accounts.tests.factories import UserFactory
from mysite.settings.base import BASE_DIR


def test_production_does_not_serve_media_by_default():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mysite.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "shop.example.com",
    }
    env.pop("SERVE_MEDIA", None)
    code = (
        "from django.conf import settings as s; from django.urls import get_resolver; "
        "names = [getattr(p, 'name', None) for p in get_resolver().url_patterns]; "
        "print(s.SERVE_MEDIA, s.WAGTAILDOCS_SERVE_METHOD, 'media' in names)"
    )
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    serve_media, method, route = result.stdout.split()[-3:]
    assert serve_media == "False"
    assert method == "serve_view"
    assert route == "False"  # /media/… falls through to Wagtail's page tree: 404


@pytest.fixture
def private_document(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    root = Collection.get_first_root_node()
    private = root.add_child(name="Board papers")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    document = get_document_model().objects.create(
        title="Secret",
        file=ContentFile(b"the secret minutes", name="secret.txt"),
        collection=private,
    )
    assert (tmp_path / document.file.name).exists()
    return document


@pytest.mark.parametrize(
    "spelling",
    ["{name}", "original_images/../{name}", "/{name}", "./{name}"],
)
def test_a_private_document_is_not_served_from_media(
    client, private_document, spelling
):
    path = spelling.format(name=private_document.file.name)
    response = client.get(f"/media/{path}")
    assert response.status_code == 404
    assert b"the secret minutes" not in b"".join(
        getattr(response, "streaming_content", [response.content])
    )


def test_a_private_document_needs_a_login_on_its_wagtail_url(client, private_document):
    url = private_document.url
    assert url.startswith("/documents/")
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert "/login" in anonymous["Location"]

    member = UserFactory()
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"the secret minutes"


def test_images_are_still_served_from_media(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "original_images").mkdir()
    (tmp_path / "original_images" / "a.txt").write_bytes(b"public")
    response = client.get("/media/original_images/a.txt")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"public"


@pytest.mark.django_db
def test_a_deleted_images_original_is_no_longer_served(
    client, settings, tmp_path, png_of, django_capture_on_commit_callbacks
):
    from wagtail.images import get_image_model

    settings.MEDIA_ROOT = tmp_path
    image = get_image_model().objects.create(
        title="Gone", file=ContentFile(png_of(8, 8), name="gone.png")
    )
    url = f"/media/{image.file.name}"
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert client.get(url).status_code == 404
