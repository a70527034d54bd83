"""Scheduled publishing: Wagtail's publish_scheduled, run by Celery beat."""

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from blog.tasks import publish_scheduled

from .factories import BlogPageFactory


def schedule_post(blog_index, title):
    post = BlogPageFactory(parent=blog_index, title=title, live=False)
    post.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    post.save_revision().publish()  # with go_live_at in the future: scheduled
    post.refresh_from_db()
    assert post.live is False
    # Time passes: the scheduled moment is now in the past.
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision = post.scheduled_revision
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    return post


@pytest.mark.django_db
def test_scheduled_post_goes_live_after_publish_scheduled(client, blog_index):
    post = schedule_post(blog_index, "Tomorrow's news")
    assert "Tomorrow's news" not in client.get("/blog/").content.decode()
    assert client.get(f"/blog/{post.slug}/").status_code == 404
    call_command("publish_scheduled", stdout=open("/dev/null", "w"))  # noqa: SIM115
    post.refresh_from_db()
    assert post.live is True
    assert client.get(f"/blog/{post.slug}/").status_code == 200
    assert "Tomorrow&#x27;s news" in client.get("/blog/").content.decode()


def test_celery_task_publishes_scheduled_posts(celery_worker):
    from core.demo import site_root_page

    from .factories import BlogIndexPageFactory

    index = BlogIndexPageFactory(parent=site_root_page())
    post = schedule_post(index, "Queued post")
    publish_scheduled.delay().get(timeout=20)
    post.refresh_from_db()
    assert post.live is True


def test_beat_runs_publish_scheduled_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["blog-publish-scheduled"]
    assert entry["task"] == "blog.tasks.publish_scheduled"
    assert entry["schedule"] == 60.0
    assert entry["task"] in publish_scheduled.app.tasks
