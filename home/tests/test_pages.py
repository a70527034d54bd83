"""Smoke tests of the public shell: home page, admin login, error pages, crawlers."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.images import get_image_model
from wagtail.models import Page

from home.models import HomePage

pytestmark = pytest.mark.django_db


def test_home_page_is_the_site_root_and_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert isinstance(response.context["page"].specific, HomePage)
    html = response.content.decode()
    assert 'href="/blog/"' in html and 'href="/shop/"' in html
    assert 'role="search"' in html
    assert "data-cart-count" in html


def test_pages_load_nothing_from_other_sites(client):
    html = client.get("/").content.decode()
    assert "//cdn" not in html
    assert 'src="http' not in html and 'href="http' not in html.replace(
        'href="http://testserver', ""
    )


def test_unknown_url_shows_the_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_admin_logs_in_with_a_superuser(client):
    get_user_model().objects.create_superuser(
        "boss", "boss@example.com", "s3cret-pass!"
    )
    response = client.post(
        "/admin/login/", {"username": "boss", "password": "s3cret-pass!"}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated
    assert client.get("/admin/").status_code == 200


def test_admin_login_rejects_a_wrong_password(client):
    get_user_model().objects.create_superuser(
        "boss", "boss@example.com", "s3cret-pass!"
    )
    response = client.post("/admin/login/", {"username": "boss", "password": "nope"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


def test_sitemap_lists_the_home_page(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert b"<loc>http://" in response.content


def test_health_check(client):
    assert client.get("/healthz/").content == b"ok"


def test_load_demo_is_idempotent(monkeypatch, tmp_path, settings):
    settings.BASE_DIR = tmp_path
    monkeypatch.setenv("ADMIN_PASSWORD", "demo-pass-123")
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (
        Page.objects.count(),
        get_image_model().objects.count(),
        get_user_model().objects.count(),
    )
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (
        Page.objects.count(),
        get_image_model().objects.count(),
        get_user_model().objects.count(),
    ) == counts
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("demo-pass-123")
    assert (tmp_path / ".local" / "admin-password").read_text() == "demo-pass-123"
    assert HomePage.objects.get().hero_image is not None
