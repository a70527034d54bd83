"""Stock changes: the shop's services are the only writers of `Product.stock`."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client

from shop.models import Product
from shop.services import product_stock_release, product_stock_reserve
from shop.tests.factories import ProductFactory


def stock(product) -> int:
    return Product.objects.values_list("stock", flat=True).get(pk=product.pk)


@pytest.mark.django_db
class TestStock:
    def test_reserve_takes_units_that_are_there(self):
        product = ProductFactory(stock=5)
        assert product_stock_reserve(product_id=product.pk, quantity=2) is True
        assert stock(product) == 3
        assert product_stock_reserve(product_id=product.pk, quantity=3) is True
        assert stock(product) == 0

    def test_reserve_refuses_more_than_is_left_and_changes_nothing(self):
        product = ProductFactory(stock=1)
        assert product_stock_reserve(product_id=product.pk, quantity=2) is False
        assert stock(product) == 1

    def test_reserve_refuses_unavailable_and_missing_products(self):
        hidden = ProductFactory(stock=5, available=False)
        assert product_stock_reserve(product_id=hidden.pk, quantity=1) is False
        assert stock(hidden) == 5
        assert product_stock_reserve(product_id=hidden.pk + 1000, quantity=1) is False

    def test_release_puts_units_back(self):
        product = ProductFactory(stock=0)
        product_stock_release(product_id=product.pk, quantity=3)
        assert stock(product) == 3

    @pytest.mark.parametrize("quantity", [0, -1])
    def test_quantities_below_one_are_refused(self, quantity):
        product = ProductFactory(stock=5)
        with pytest.raises(ValueError):
            product_stock_reserve(product_id=product.pk, quantity=quantity)
        with pytest.raises(ValueError):
            product_stock_release(product_id=product.pk, quantity=quantity)
        assert stock(product) == 5

    def test_cached_product_page_shows_the_new_stock_at_once(self):
        """An UPDATE sends no signal: the service itself invalidates the page cache."""
        product = ProductFactory(stock=1)
        url = product.get_absolute_url()
        Client().get(url)
        cached = Client().get(url)
        assert cached["X-Page-Cache"] == "hit" and "In stock" in cached.text
        product_stock_reserve(product_id=product.pk, quantity=1)
        sold_out = Client().get(url)
        assert sold_out["X-Page-Cache"] == "miss" and "Out of stock" in sold_out.text
        product_stock_release(product_id=product.pk, quantity=1)
        back = Client().get(url)
        assert back["X-Page-Cache"] == "miss" and "In stock" in back.text


def blocked_on_a_row_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query ILIKE '%%shop_product%%'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_for_the_last_unit_has_one_winner():
    """The second reservation is made while the first one's transaction is still
    open (it waits on the row), and only then does the first commit: the second's
    UPDATE re-reads the row and finds nothing left."""
    product = ProductFactory(stock=1)
    first_reserved, first_may_commit = threading.Event(), threading.Event()
    results = {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = product_stock_reserve(
                    product_id=product.pk, quantity=1
                )
                first_reserved.set()
                first_may_commit.wait(timeout=30)
        finally:
            connection.close()

    def second():
        try:
            first_reserved.wait(timeout=30)
            with transaction.atomic():
                results["second"] = product_stock_reserve(
                    product_id=product.pk, quantity=1
                )
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 30
        while not blocked_on_a_row_lock():
            assert time.monotonic() < deadline, "the second reservation never waited"
            time.sleep(0.05)
    finally:
        first_may_commit.set()
        for thread in threads:
            thread.join(timeout=30)
    assert results == {"first": True, "second": False}
    assert stock(product) == 0
