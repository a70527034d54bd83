"""Bought-together recommendations in the real Redis: pairs counted once per order,
suggestions on the product page and in the cart, our keys only, and no
recommendations (but pages) when Redis is away."""

import logging
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache

from core.demo import demo_image
from coupons.tests.factories import CouponFactory
from shop import recommender
from shop.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def bought(*products, order_id=None):
    return recommender.products_bought(
        product_ids=[p.id for p in products], order_id=order_id
    )


def names(products) -> list[str]:
    return [product.name for product in products]


def add(client, product, quantity=1):
    client.post(f"/cart/add/{product.id}/", {"quantity": quantity}, follow=True)


def our_keys() -> list[str]:
    return sorted(recommender.get_client().scan_iter(match=recommender.key("*")))


@pytest.fixture
def lamp_and_friends():
    """A lamp bought with (in this order of frequency) a shade, bulbs, a cable, a
    timer and a hook; and a vase never bought with anything."""
    lamp, shade, bulbs, cable, timer, hook, vase = (
        ProductFactory(name=name)
        for name in ("Lamp", "Shade", "Bulbs", "Cable", "Timer", "Hook", "Vase")
    )
    for count, other in ((5, shade), (4, bulbs), (3, cable), (2, timer), (1, hook)):
        for _ in range(count):
            bought(lamp, other)
    return lamp, shade, bulbs, cable, timer, hook, vase


def test_each_pair_is_counted_both_ways():
    a, b, c = ProductFactory(), ProductFactory(), ProductFactory()
    assert bought(a, b, c) is True
    bought(a, b)
    client = recommender.get_client()
    assert client.zscore(recommender.key(a.id), str(b.id)) == 2
    assert client.zscore(recommender.key(b.id), str(a.id)) == 2
    assert client.zscore(recommender.key(a.id), str(c.id)) == 1
    assert client.zscore(recommender.key(a.id), str(a.id)) is None
    assert recommender.suggested_ids(product_ids=[a.id]) == [b.id, c.id]
    assert bought(a) is False  # one product: no pair


def test_an_order_is_counted_once_however_often_it_is_recorded():
    a, b = ProductFactory(), ProductFactory()
    assert bought(a, b, order_id=41) is True
    assert bought(a, b, order_id=41) is False
    assert bought(b, a, order_id=42) is True
    assert recommender.get_client().zscore(recommender.key(a.id), str(b.id)) == 2
    ttl = recommender.get_client().ttl(recommender.key("order", 41))
    assert 0 < ttl <= recommender.CLAIM_SECONDS


def test_suggestions_for_many_sum_their_scores_and_leave_out_themselves():
    a, b, c, d = (ProductFactory() for _ in range(4))
    bought(a, c)
    bought(b, c)
    bought(a, d)
    bought(a, b)
    assert recommender.suggested_ids(product_ids=[a.id, b.id]) == [c.id, d.id]
    assert not [k for k in our_keys() if ":scratch:" in k]  # nothing left behind


def test_keys_carry_the_prefix_and_clear_removes_only_ours():
    a, b = ProductFactory(), ProductFactory()
    bought(a, b, order_id=7)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert our_keys() == sorted(
        f"{prefix}:shop:bought_together:{part}" for part in (a.id, b.id, "order:7")
    )
    client = recommender.get_client()
    client.set("someone-else:key", "1")
    cache.set("kept", "yes")
    try:
        assert recommender.clear() == 3
        assert our_keys() == []
        assert client.get("someone-else:key") == "1" and cache.get("kept") == "yes"
    finally:
        client.delete("someone-else:key")


def test_product_page_shows_up_to_four_bought_together_best_first(
    client, lamp_and_friends
):
    lamp, shade, bulbs, cable, timer, hook, vase = lamp_and_friends
    bulbs.available = False
    bulbs.save()
    cable.delete()
    response = client.get(lamp.get_absolute_url())
    assert names(response.context["bought_together"]) == ["Shade", "Timer", "Hook"]
    html = response.content.decode()
    assert "Often bought together" in html
    assert html.index(">Shade<") < html.index(">Timer<") < html.index(">Hook<")
    bulbs.available = True
    bulbs.save()
    response = client.get(lamp.get_absolute_url())
    assert names(response.context["bought_together"]) == [
        "Shade",
        "Bulbs",
        "Timer",
        "Hook",
    ]
    alone = client.get(vase.get_absolute_url())
    assert alone.context["bought_together"] == []
    assert "Often bought together" not in alone.content.decode()


def test_cart_shows_up_to_four_bought_with_its_contents_but_not_them(
    client, lamp_and_friends
):
    lamp, shade, bulbs, cable, timer, hook, vase = lamp_and_friends
    extra = ProductFactory(name="Extra")
    bought(shade, extra)
    timer.available = False
    timer.save()
    add(client, lamp)
    add(client, shade)
    response = client.get("/cart/")
    assert names(response.context["bought_together"]) == [
        "Bulbs",
        "Cable",
        "Extra",  # with the shade
        "Hook",
    ]
    html = response.content.decode()
    assert "Often bought with these" in html
    assert f'action="/cart/add/{bulbs.id}/"' in html


@pytest.mark.parametrize("count", [3, 30])
def test_bought_together_adds_at_most_two_queries_to_the_product_page(
    client, django_assert_max_num_queries, count, settings
):
    settings.PAGE_CACHE_ENABLED = False  # the render's budget; a cache hit costs 0
    image = demo_image("Recommended", seed=2, size=(120, 80))
    products = [ProductFactory(image=image) for _ in range(count)]
    main = products[0]
    for other in products[1:]:
        bought(main, other)
    client.get(main.get_absolute_url())  # renditions are created once, on first view
    with django_assert_max_num_queries(4) as captured:  # 2 without (test_catalog)
        response = client.get(main.get_absolute_url())
    assert len(response.context["bought_together"]) == min(4, count - 1)
    assert len(captured) == 4, [q["sql"] for q in captured]


@pytest.mark.parametrize("count", [3, 30])
def test_bought_together_and_a_coupon_add_at_most_two_queries_to_the_cart(
    client, django_assert_max_num_queries, count
):
    products = [ProductFactory(price=Decimal("3.00")) for _ in range(count)]
    others = [ProductFactory() for _ in range(5)]
    for product in products:
        add(client, product)
        bought(product, *others)
    CouponFactory(code="TEN")
    client.post("/cart/coupon/", {"code": "TEN"}, follow=True)
    with django_assert_max_num_queries(3) as captured:  # 1 without (test_cart)
        response = client.get("/cart/")
    assert len(response.context["bought_together"]) == 4
    assert response.context["discount"] == Decimal("0.30") * count
    assert len(captured) == 3, [q["sql"] for q in captured]


def test_pages_render_without_recommendations_when_redis_is_away(
    client, settings, lamp_and_friends, caplog
):
    lamp, shade, *_ = lamp_and_friends
    settings.SHOP_RECOMMENDER_REDIS_URL = DEAD_REDIS
    with caplog.at_level(logging.ERROR, logger="shop.recommender"):
        page = client.get(lamp.get_absolute_url())
        add(client, lamp)
        cart = client.get("/cart/")
    for response in (page, cart):
        assert response.status_code == 200
        assert response.context["bought_together"] == []
        assert "Often bought" not in response.content.decode()
    assert "Recommendations unavailable (Redis)" in caplog.text
    assert len(cart.context["lines"]) == 1
