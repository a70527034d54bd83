import pytest
from django.core.management import call_command

from blog.models import BlogIndexPage, BlogPage, Comment

from .factories import BlogPageFactory

pytestmark = pytest.mark.django_db


def test_sitemap_lists_posts_and_tag_pages_but_not_drafts(client, blog_index):
    post = BlogPageFactory(parent=blog_index, tags=["django"])
    draft = BlogPageFactory(parent=blog_index, live=False, tags=["secret"])
    xml = client.get("/sitemap.xml").content.decode()
    assert f"{post.slug}/</loc>" in xml
    assert "/blog/tag/django/</loc>" in xml
    assert draft.slug not in xml and "/tag/secret/" not in xml


def test_demo_creates_a_blog_once(monkeypatch, tmp_path, settings, client):
    settings.BASE_DIR = tmp_path
    monkeypatch.setenv("ADMIN_PASSWORD", "demo-pass-123")
    devnull = open("/dev/null", "w")  # noqa: SIM115
    call_command("load_demo", stdout=devnull)
    counts = (BlogPage.objects.count(), Comment.objects.count())
    call_command("load_demo", stdout=devnull)
    assert (BlogPage.objects.count(), Comment.objects.count()) == counts
    index = BlogIndexPage.objects.get(slug="blog")
    posts = BlogPage.objects.live().child_of(index)
    assert posts.count() >= 12
    assert all(p.cover_image_id and p.author.username == "admin" for p in posts)
    assert Comment.objects.filter(active=False).exists()
    assert Comment.objects.filter(active=True).exists()
    assert {t.name for p in posts for t in p.tags.all()} >= {"wagtail", "django"}
    response = client.get("/blog/")
    assert response.status_code == 200
    assert response.context["posts"].paginator.count == posts.count()
    assert client.get("/search/", {"q": "search"}).context["outcome"].total >= 2
