"""Catalog pages: list, category list, detail, search and their query budgets."""

from decimal import Decimal

import pytest

from core.demo import demo_image
from shop.models import Product
from shop.tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def make_products(n, category=None, with_images=True):
    category = category or CategoryFactory()
    image = (
        demo_image("Catalog test image", seed=1, size=(120, 80))
        if with_images
        else None
    )
    return [ProductFactory(category=category, image=image) for _ in range(n)]


def test_product_list_shows_available_products_only(client):
    shown = ProductFactory(name="Visible lamp")
    ProductFactory(name="Hidden lamp", available=False)
    html = client.get("/shop/").content.decode()
    assert "Visible lamp" in html
    assert "Hidden lamp" not in html
    assert shown.get_absolute_url() in html


def test_category_page_filters_and_unknown_category_is_404(client):
    books = CategoryFactory(name="Books", slug="books")
    ProductFactory(name="A novel", category=books)
    ProductFactory(name="A teapot")
    html = client.get("/shop/books/").content.decode()
    assert "A novel" in html and "A teapot" not in html
    assert client.get("/shop/no-such-category/").status_code == 404


def test_product_list_paginates_and_bad_page_falls_back(client):
    make_products(15, with_images=False)
    first = client.get("/shop/")
    assert len(first.context["products"]) == 12
    assert len(client.get("/shop/?page=2").context["products"]) == 3
    assert client.get("/shop/?page=abc").status_code == 200
    assert client.get("/shop/?page=999").context["page_obj"].number == 2


def test_product_detail_shows_price_stock_image_and_form(client):
    product = ProductFactory(
        price=Decimal("12.50"),
        stock=3,
        image=demo_image("Detail image", seed=2, size=(200, 100)),
    )
    html = client.get(product.get_absolute_url()).content.decode()
    assert "12.50" in html and "In stock" in html
    assert 'name="quantity"' in html and 'for="id_quantity"' in html
    assert "/media/images/" in html  # a rendition, not the original


def test_sold_out_product_has_no_add_form(client):
    product = ProductFactory(stock=0)
    html = client.get(product.get_absolute_url()).content.decode()
    assert "Out of stock" in html and 'name="quantity"' not in html


def test_product_detail_wrong_slug_unavailable_or_huge_id_is_404(client):
    product = ProductFactory()
    hidden = ProductFactory(available=False)
    assert client.get(f"/shop/{product.id}/wrong-slug/").status_code == 404
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(f"/shop/{10**30}/x/").status_code == 404


def test_products_are_found_by_site_search_backend():
    ProductFactory(name="Copper kettle", description="Boils water quickly")
    ProductFactory(name="Wool scarf", description="Warm")
    results = Product.objects.search("kettle")
    assert [p.name for p in results] == ["Copper kettle"]


def test_home_page_features_products(client):
    ProductFactory(name="Featured mug")
    html = client.get("/").content.decode()
    assert "Featured mug" in html and "From the shop" in html


@pytest.mark.parametrize("count", [3, 30])
def test_product_list_query_budget(
    client, django_assert_max_num_queries, count, settings
):
    settings.PAGE_CACHE_ENABLED = False  # the render's budget; a cache hit costs 0
    make_products(count)
    client.get("/shop/")  # renditions are created once, on the first view
    with django_assert_max_num_queries(4) as captured:
        response = client.get("/shop/")
    assert response.status_code == 200
    # count, products with category and image, their renditions, categories
    assert len(captured) == 4, [q["sql"] for q in captured]


@pytest.mark.parametrize("count", [3, 30])
def test_product_page_query_budget(
    client, django_assert_max_num_queries, count, settings
):
    settings.PAGE_CACHE_ENABLED = False  # the render's budget; a cache hit costs 0
    products = make_products(count)
    url = products[-1].get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(2) as captured:
        assert client.get(url).status_code == 200
    # the product with category and image, its renditions
    assert len(captured) == 2, [q["sql"] for q in captured]


def test_demo_catalog_and_orders_load_idempotently():
    from io import StringIO

    from django.core.management.base import BaseCommand

    from orders import demo as orders_demo
    from orders.models import Order
    from shop import demo as shop_demo

    command = BaseCommand(stdout=StringIO())
    for _ in range(2):
        shop_demo.load(command)
        orders_demo.load(command)
    assert Product.objects.count() >= 20
    assert Product.objects.exclude(image=None).count() == Product.objects.count()
    assert Order.objects.filter(status=Order.Status.PAID).exists()
    assert Order.objects.exclude(status=Order.Status.PAID).exists()
    # The numbered demo orders and the one refunded in full.
    assert Order.objects.count() == orders_demo.ORDER_COUNT + 1


def test_search_hit_template_shows_the_product():
    from django.template.loader import render_to_string

    product = ProductFactory(name="Search lamp", price=Decimal("3.00"))
    html = render_to_string("shop/includes/search_result.html", {"result": product})
    assert "Search lamp" in html and product.get_absolute_url() in html
    assert "3.00" in html
