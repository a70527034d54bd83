"""Query budgets of the performance issue that no feature test covers."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [3, 30])
def test_add_to_cart_costs_two_queries(client, django_assert_num_queries, rows):
    """The product lookup and the session row (cached_db writes through to the
    database so a Redis restart loses no cart); the message rides in a cookie."""
    products = ProductFactory.create_batch(rows)
    client.post(f"/cart/add/{products[0].id}/", {"quantity": 1})  # makes the session
    with django_assert_num_queries(2) as captured:
        response = client.post(f"/cart/add/{products[-1].id}/", {"quantity": 1})
    assert response.status_code == 302
    sql = [q["sql"] for q in captured.captured_queries]
    assert sql[0].startswith('SELECT "shop_product"')
    assert sql[1].startswith('UPDATE "django_session"')


def test_logged_in_pages_skip_the_userbar_permission_queries(client):
    """Non-editors: the base layout asks no permission question (decided at login);
    editors still get Wagtail's userbar."""
    member = get_user_model().objects.create_user("member", password="pw-123456!")
    client.force_login(member)
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/").content.decode()
    assert not any("auth_permission" in q["sql"] for q in captured.captured_queries)
    assert "wagtail-userbar" not in html
    editor = get_user_model().objects.create_superuser("editor", password="pw-1234!")
    client.force_login(editor)
    assert "wagtail-userbar" in client.get("/").content.decode()


def test_a_session_deleted_meanwhile_is_an_update_error_not_a_new_row():
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.models import Session

    from core.sessions import SessionStore

    store = SessionStore()
    store["cart"] = {"1": {"quantity": 1}}
    store.save(must_create=True)
    again = SessionStore(store.session_key)
    assert again["cart"] == {"1": {"quantity": 1}}
    Session.objects.filter(session_key=store.session_key).delete()
    again["cart"] = {}
    with pytest.raises(UpdateError):
        again.save()
    assert not Session.objects.exists()
