"""The session cart: adding, updating, removing, bad input and tampering."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages

from shop.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def add(client, product_id, quantity="1", **extra):
    return client.post(f"/cart/add/{product_id}/", {"quantity": quantity, **extra})


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_add_accumulates_and_update_overwrites(client):
    product = ProductFactory(price=Decimal("4.50"))
    add(client, product.id, "2")
    add(client, product.id, "3")
    assert client.session[settings.CART_SESSION_ID][str(product.id)]["quantity"] == 5
    add(client, product.id, "1", override="True")
    cart = client.session[settings.CART_SESSION_ID]
    assert cart[str(product.id)] == {"quantity": 1, "price": "4.50"}


def test_cart_page_lists_lines_total_and_header_count(client):
    a = ProductFactory(name="Apple", price=Decimal("1.25"))
    b = ProductFactory(name="Banana", price=Decimal("2.00"))
    add(client, a.id, "4")
    add(client, b.id, "1")
    response = client.get("/cart/")
    html = response.content.decode()
    assert "Apple" in html and "Banana" in html
    assert response.context["total"] == Decimal("7.00")
    assert response.context["cart_count"] == 5


def test_remove_takes_the_line_out(client):
    product = ProductFactory()
    add(client, product.id)
    response = client.post(f"/cart/remove/{product.id}/")
    assert response.status_code == 302
    assert client.session[settings.CART_SESSION_ID] == {}
    assert "removed" in messages_of(response)[-1]


def test_tampered_session_price_is_ignored(client):
    product = ProductFactory(price=Decimal("99.00"))
    add(client, product.id, "2")
    session = client.session
    session[settings.CART_SESSION_ID][str(product.id)]["price"] = "0.01"
    session.save()
    response = client.get("/cart/")
    assert response.context["total"] == Decimal("198.00")
    assert "0.01" not in response.content.decode()


def test_price_change_shows_current_price(client):
    product = ProductFactory(price=Decimal("10.00"))
    add(client, product.id)
    product.price = Decimal("12.00")
    product.save()
    assert client.get("/cart/").context["total"] == Decimal("12.00")


def test_unavailable_or_deleted_products_leave_the_cart_with_a_message(client):
    gone = ProductFactory(name="Gone thing")
    hidden = ProductFactory(name="Hidden thing")
    kept = ProductFactory(name="Kept thing")
    for product in (gone, hidden, kept):
        add(client, product.id)
    gone.delete()
    hidden.available = False
    hidden.save()
    response = client.get("/cart/")
    notes = " ".join(messages_of(response))
    assert "Hidden thing is no longer available" in notes
    assert "A product is no longer available" in notes
    assert [line.product for line in response.context["lines"]] == [kept]
    assert list(client.session[settings.CART_SESSION_ID]) == [str(kept.id)]


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ("-3", "at least 1"),
        ("0", "at least 1"),
        ("21", "at most 20"),
        ("99999999999999999999999", "at most 20"),
        ("abc", "whole number"),
        ("", "required"),
    ],
)
def test_bad_quantities_give_a_message_not_a_500(client, quantity, expected):
    product = ProductFactory()
    response = add(client, product.id, quantity)
    assert response.status_code == 302
    assert expected in " ".join(messages_of(response)).lower()
    assert str(product.id) not in client.session.get(settings.CART_SESSION_ID, {})


def test_forged_product_id_gives_a_message(client):
    response = add(client, "999999")
    assert response.status_code == 302
    assert "not available" in messages_of(response)[-1]


@pytest.mark.parametrize("product_id", [str(2**63), str(10**30), "0"])
def test_an_id_no_product_can_have_is_not_found(client, product_id):
    """Beyond the bigint range (or zero) the URL does not match: 404, not a 500."""
    assert add(client, product_id).status_code == 404
    assert client.post(f"/cart/remove/{product_id}/").status_code == 404


def test_garbage_in_the_session_cart_is_dropped(client):
    product = ProductFactory()
    session = client.session
    session[settings.CART_SESSION_ID] = {
        "abc": {"quantity": 1},
        str(product.id): {"quantity": "lots"},
        "12": "not a dict",
    }
    session.save()
    response = client.get("/cart/")
    assert response.status_code == 200
    assert response.context["lines"] == []
    assert response.context["cart_count"] == 0


def test_cart_add_requires_post(client):
    product = ProductFactory()
    assert client.get(f"/cart/add/{product.id}/").status_code == 405


@pytest.mark.parametrize("count", [3, 30])
def test_cart_page_query_budget(client, django_assert_max_num_queries, count):
    products = [ProductFactory() for _ in range(count)]
    for product in products:
        add(client, product.id)
    with django_assert_max_num_queries(4) as captured:
        response = client.get("/cart/")
    assert len(response.context["lines"]) == count
    assert len(captured) == 1, [q["sql"] for q in captured]


def test_sold_out_product_cannot_be_added(client):
    product = ProductFactory(name="Gone vase", stock=0)
    response = add(client, product.id)
    assert "Gone vase is sold out" in messages_of(response)[-1]
    assert str(product.id) not in client.session.get(settings.CART_SESSION_ID, {})
