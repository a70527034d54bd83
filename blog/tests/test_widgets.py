"""Template tags and filters, the sidebar and the home page section."""

import pytest
from django.template import Context, Template

from blog.templatetags.blog_tags import get_most_commented_posts, total_posts

from .factories import BlogPageFactory, CommentFactory

pytestmark = pytest.mark.django_db


def test_total_posts_counts_live_posts_only(blog_index):
    BlogPageFactory.create_batch(3, parent=blog_index)
    BlogPageFactory(parent=blog_index, live=False)
    assert total_posts() == 3


def test_most_commented_counts_only_approved_comments(blog_index):
    quiet, busy, spammed = BlogPageFactory.create_batch(3, parent=blog_index)
    CommentFactory.create_batch(2, post=busy, active=True)
    CommentFactory(post=quiet, active=True)
    CommentFactory.create_batch(5, post=spammed, active=False)
    result = get_most_commented_posts(5)
    assert result == [busy, quiet]
    assert [p.total_comments for p in result] == [2, 1]


def test_show_latest_posts_renders_the_newest(rf, blog_index):
    import datetime

    old = BlogPageFactory(
        parent=blog_index, title="Old one", date=datetime.date(2020, 1, 1)
    )
    new = BlogPageFactory(parent=blog_index, title="New one")
    html = Template("{% load blog_tags %}{% show_latest_posts 1 %}").render(
        Context({"request": rf.get("/")})
    )
    assert new.title in html and old.title not in html
    cards = Template('{% load blog_tags %}{% show_latest_posts 2 "cards" %}').render(
        Context({"request": rf.get("/")})
    )
    assert cards.count('class="card"') == 2


def test_markdown_filter_renders_and_sanitises():
    html = Template("{% load blog_tags %}{{ text|markdown }}").render(
        Context({"text": "# Title\n\n*hi* <script>alert(1)</script>"})
    )
    assert "<em>hi</em>" in html
    assert "<script" not in html


def test_markdown_code_blocks_can_take_keyboard_focus_and_nothing_else():
    """A long code line scrolls inside its <pre>; tabindex 0 lets a keyboard user
    reach it. The sanitiser sets it: a writer's own attributes are dropped."""
    html = Template("{% load blog_tags %}{{ text|markdown }}").render(
        Context(
            {
                "text": "```\nprint(1)\n```\n\n"
                '<pre tabindex="-1" onfocus="alert(1)">raw</pre>'
            }
        )
    )
    assert html.count('<pre tabindex="0">') == 2
    assert "onfocus" not in html and 'tabindex="-1"' not in html


def test_sidebar_and_home_section_use_the_widgets(client, blog_index):
    post = BlogPageFactory(parent=blog_index, title="Sidebar star")
    CommentFactory(post=post, active=True)
    blog_html = client.get("/blog/").content.decode()
    sidebar = blog_html.split('class="sidebar"')[1]
    assert "1 post so far" in sidebar
    assert "Latest posts" in sidebar and "Most commented" in sidebar
    assert "Sidebar star" in sidebar
    home_html = client.get("/").content.decode()
    assert "From the blog" in home_html and "Sidebar star" in home_html


def test_cached_sidebar_follows_publishing_and_moderation(client, blog_index):
    from blog.services import comments_set_active

    first = BlogPageFactory(parent=blog_index, title="First post")
    assert "1 post so far" in client.get("/blog/").content.decode()
    second = BlogPageFactory(parent=blog_index, title="Second post", live=False)
    second.save_revision().publish()
    sidebar = client.get("/blog/").content.decode().split('class="sidebar"')[1]
    assert "2 posts so far" in sidebar and "Second post" in sidebar
    pending = CommentFactory(post=first, active=False)
    assert "Most commented" not in client.get("/blog/").content.decode()
    comments_set_active(comment_ids=[pending.pk], active=True)
    assert "Most commented" in client.get("/blog/").content.decode()
    second.refresh_from_db()
    second.unpublish()
    assert "1 post so far" in client.get("/blog/").content.decode()
