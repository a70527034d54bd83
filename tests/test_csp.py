"""Content-Security-Policy: strict on every public page (no inline script, no eval,
no plugins, no foreign <base>); the Wagtail admin alone may run inline scripts."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from blog.tests.factories import BlogIndexPageFactory, BlogPageFactory
from core.demo import site_root_page
from gallery.tests.factories import BookmarkFactory
from shop.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.fixture
def content(db):
    index = BlogIndexPageFactory(parent=site_root_page())
    post = BlogPageFactory(parent=index, tags=["news"])
    bookmark = BookmarkFactory()
    product = ProductFactory()
    return {"post": post, "bookmark": bookmark, "product": product}


PUBLIC = [
    lambda c: "/",
    lambda c: "/blog/",
    lambda c: c["post"].url,
    lambda c: "/blog/tag/news/",
    lambda c: "/gallery/",
    lambda c: c["bookmark"].get_absolute_url(),
    lambda c: "/gallery/bookmarklet/",
    lambda c: "/shop/",
    lambda c: c["product"].get_absolute_url(),
    lambda c: "/cart/",
    lambda c: "/search/?q=post",
    lambda c: "/account/login/",
    lambda c: "/people/",
]
PUBLIC_IDS = [
    "home",
    "blog",
    "post",
    "tag",
    "gallery",
    "bookmark",
    "bookmarklet",
    "shop",
    "product",
    "cart",
    "search",
    "login",
    "people",
]


@pytest.mark.parametrize("url", PUBLIC, ids=PUBLIC_IDS)
def test_public_pages_allow_no_inline_script(client, content, url):
    path = url(content)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    for directive in ("default-src", "script-src"):
        assert "'unsafe-inline'" not in directives[directive]
        assert "'unsafe-eval'" not in directives[directive]


def test_a_cached_page_keeps_the_strict_policy(client, content):
    client.get("/blog/")
    response = client.get("/blog/")
    assert response["X-Page-Cache"] == "hit"
    assert policy(response)["script-src"] == ["'self'"]


def test_the_wagtail_admin_keeps_its_inline_scripts():
    admin = get_user_model().objects.create_superuser(
        "boss", "boss@example.com", "pw-boss-12345"
    )
    client = Client()
    client.force_login(admin)
    for path in ("/admin/", "/admin/pages/"):
        response = client.get(path)
        assert response.status_code == 200, path
        directives = policy(response)
        assert directives["script-src"] == ["'self'", "'unsafe-inline'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["base-uri"] == ["'self'"]
    # The login page is the admin's too.
    assert "'unsafe-inline'" in policy(Client().get("/admin/login/"))["script-src"]


def test_an_editor_on_a_public_page_gets_the_strict_policy(content):
    """The userbar (an editor's shortcut to the admin) loads from files only."""
    editor = get_user_model().objects.create_superuser(
        "ed", "ed@example.com", "pw-ed-123456"
    )
    client = Client()
    client.force_login(editor)
    response = client.get(content["post"].url)
    assert response.status_code == 200
    assert "wagtail-userbar" in response.content.decode()
    assert policy(response)["script-src"] == ["'self'"]


# Inline scripts and event-handler attributes would be refused by the browser
# under this policy: none may appear in the site's own templates.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>"
    r"|\son[a-z]+\s*=|href=\"javascript:(?!\{\{)",
    re.IGNORECASE,
)


def test_public_templates_carry_no_inline_script_or_handler():
    root = Path(settings.BASE_DIR)
    offenders = []
    for template in sorted(root.glob("**/templates/**/*.html")):
        parts = template.relative_to(root).parts
        if parts[0] in {".venv", ".local", "node_modules"} or "admin" in parts:
            continue
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if INLINE.search(line):
                offenders.append(f"{template.relative_to(root)}:{number}: {line}")
    assert not offenders, "\n".join(offenders)
