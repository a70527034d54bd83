"""Staff editing a product while shoppers buy it: the stock typed in is applied as a
change to the stock the form was loaded with, never written back over sales."""

import re
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from orders.tests.factories import CUSTOMER
from shop.models import Product
from shop.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "x")
    client.force_login(user)
    return client


def buy(product, quantity) -> None:
    """A shopper checks out `quantity` units (stock reserved by the real checkout)."""
    shopper = Client(REMOTE_ADDR=f"198.51.100.{quantity}")
    shopper.post(f"/cart/add/{product.id}/", {"quantity": quantity})
    response = shopper.post("/orders/create/", {**CUSTOMER, "token": str(uuid.uuid4())})
    assert response["Location"] == "/payment/process/"


def load_form(staff, product) -> dict:
    """Open the edit page and return what its form would post back."""
    html = staff.get(f"/admin/shop/product/edit/{product.pk}/").content.decode()
    data = {
        "category": product.category_id,
        "name": product.name,
        "slug": product.slug,
        "image": "",
        "description": product.description,
        "price": str(product.price),
        "stock": str(product.stock),
        "available": "on",
    }
    # The stock the page was loaded with, as the browser posts it back.
    loaded = re.search(r'<input type="hidden" name="stock_loaded" value="(\d+)"', html)
    if loaded:
        data["stock_loaded"] = loaded.group(1)
    return data


def stock(product) -> int:
    return Product.objects.values_list("stock", flat=True).get(pk=product.pk)


def test_a_checkout_between_load_and_save_is_kept(staff):
    product = ProductFactory(stock=10, price=Decimal("5.00"))
    form = load_form(staff, product)
    buy(product, 3)  # 7 left while the form is open
    response = staff.post(
        f"/admin/shop/product/edit/{product.pk}/",
        {**form, "stock": "12", "price": "6.00"},  # restocked 2
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.stock == 9  # 10 + 2 - 3, not 12
    assert product.price == Decimal("6.00")
    assert form["stock_loaded"] == "10"  # what the page was loaded with


def test_saving_other_fields_does_not_touch_the_stock(staff):
    product = ProductFactory(stock=10)
    form = load_form(staff, product)
    buy(product, 4)
    staff.post(f"/admin/shop/product/edit/{product.pk}/", {**form, "name": "Renamed"})
    product.refresh_from_db()
    assert (product.name, product.stock) == ("Renamed", 6)


def test_a_change_below_zero_is_refused_with_the_current_stock(staff):
    product = ProductFactory(stock=10, price=Decimal("5.00"))
    form = load_form(staff, product)
    buy(product, 9)  # 1 left
    response = staff.post(
        f"/admin/shop/product/edit/{product.pk}/",
        {**form, "stock": "2", "price": "6.00"},  # take 8 away
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "it is 1 now, not 10" in html
    assert re.search(r'name="stock_loaded" value="1"', html)
    product.refresh_from_db()
    assert (product.stock, product.price) == (1, Decimal("5.00"))  # nothing saved


def test_a_form_without_the_loaded_stock_is_an_error_not_a_500(staff):
    product = ProductFactory(stock=10)
    form = load_form(staff, product)
    form.pop("stock_loaded", None)
    response = staff.post(f"/admin/shop/product/edit/{product.pk}/", form)
    assert response.status_code == 200
    assert "Reload the page" in response.content.decode()
    assert stock(product) == 10


def test_a_new_product_takes_the_stock_as_typed(staff):
    category = ProductFactory().category
    response = staff.post(
        "/admin/shop/product/create/",
        {
            "category": category.pk,
            "name": "New lamp",
            "slug": "new-lamp",
            "image": "",
            "description": "",
            "price": "12.00",
            "stock": "7",
            "available": "on",
        },
    )
    assert response.status_code == 302
    assert Product.objects.get(slug="new-lamp").stock == 7
