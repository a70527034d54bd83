"""Fragments cached per version of what they show (issue 13 part 2): the home
sections and the blog sidebar come from Redis for members and uncached renders too,
and a change shows in them at once."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.test.utils import CaptureQueriesContext

from blog.services import comment_create, comments_set_active
from blog.tests.factories import BlogIndexPageFactory, BlogPageFactory
from core.demo import site_root_page
from gallery.services import bookmark_like
from gallery.tests.factories import BookmarkFactory
from shop.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    client = Client()
    client.force_login(get_user_model().objects.create_user("reader"))
    return client


def queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert not response.has_header("X-Page-Cache")  # members bypass the page cache
    return len(captured), response.content.decode()


def test_home_sections_are_cached_for_members_and_refresh_on_a_change(member):
    index = BlogIndexPageFactory(parent=site_root_page())
    BlogPageFactory(parent=index, title="Home post")
    product = ProductFactory(name="Home teapot")
    bookmark = BookmarkFactory(title="Home picture")
    first, html = queries(member, "/")
    assert "Home post" in html and "Home teapot" in html and "Home picture" in html
    second, html = queries(member, "/")
    assert second <= first - 4  # the three sections' queries are gone
    assert "Home post" in html and "Home teapot" in html and "Home picture" in html
    assert "reader" in html  # the per-visitor user menu stays outside
    product.name = "Renamed teapot"
    product.save()
    assert "Renamed teapot" in queries(member, "/")[1]
    fan = get_user_model().objects.get(username="reader")
    bookmark_like(bookmark=bookmark, user=fan)
    assert "1 like<" in queries(member, "/")[1]


def test_the_blog_sidebar_is_one_cached_fragment(member, settings):
    settings.BLOG_COMMENTS_PREMODERATED = True
    index = BlogIndexPageFactory(parent=site_root_page())
    post = BlogPageFactory(parent=index, title="Commented post")
    other = BlogPageFactory(parent=index, title="Other post")
    first, _ = queries(member, other.url)
    second, html = queries(member, other.url)
    assert second < first
    assert "Most commented" not in html
    pending = comment_create(post=post, name="Ada", email="a@example.com", body="Hi")
    assert "Most commented" not in queries(member, other.url)[1]
    comments_set_active(comment_ids=[pending.pk], active=True)
    assert "Most commented" in queries(member, other.url)[1]


def test_a_fragment_needs_a_name():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load core_tags %}{% cached_fragment %}x{% endcached_fragment %}")


def test_a_fragment_varies_by_its_vary_values():
    template = Template(
        '{% load core_tags %}{% cached_fragment "probe" "posts" vary=v %}'
        "{{ v }}{% endcached_fragment %}"
    )
    assert template.render(Context({"v": "a"})) == "a"
    assert template.render(Context({"v": "b"})) == "b"
