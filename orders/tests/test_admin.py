"""Staff admin: order list, search, inspect, CSV export and the sales panel."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from orders.exports import escape_cell
from orders.models import Order
from orders.tests.factories import OrderFactory, OrderItemFactory, order_with_items
from shop.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "x")
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_shop_menu_lists_categories_products_orders(staff):
    html = staff.get("/admin/").content.decode()
    for url in (
        "/admin/shop/category/",
        "/admin/shop/product/",
        "/admin/orders/order/",
    ):
        assert url in html


def test_product_admin_lists_and_edits_with_an_image_chooser(staff):
    product = ProductFactory(name="Admin teapot")
    assert "Admin teapot" in staff.get("/admin/shop/product/?q=teapot").content.decode()
    edit = staff.get(f"/admin/shop/product/edit/{product.pk}/").content.decode()
    assert "Choose an image" in edit


def test_order_list_filters_and_searches(staff):
    paid = order_with_items(1, email="paid@example.com", status="paid")
    unpaid = order_with_items(1, email="open@example.com", last_name="Turing")
    html = staff.get("/admin/orders/order/?status__exact=paid").content.decode()
    assert "paid@example.com" in html and "open@example.com" not in html
    html = staff.get("/admin/orders/order/?q=turing").content.decode()
    assert "open@example.com" in html and "paid@example.com" not in html
    html = staff.get(f"/admin/orders/order/?q={paid.id}").content.decode()
    assert "paid@example.com" in html and unpaid.email not in html
    assert (
        staff.get("/admin/orders/order/?q=99999999999999999999999").status_code == 200
    )
    assert "Export CSV" in staff.get("/admin/orders/order/").content.decode()
    assert staff.get("/admin/orders/order/create/").status_code in (302, 403)
    assert staff.get(f"/admin/orders/order/edit/{paid.id}/").status_code in (302, 403)
    assert staff.get(f"/admin/orders/order/delete/{paid.id}/").status_code in (302, 403)
    assert Order.objects.filter(pk=paid.pk).exists()


def test_inspect_view_shows_items_totals_and_links(staff, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_abc"
    order = order_with_items(
        2, price=Decimal("7.50"), stripe_payment_intent_id="pi_123"
    )
    html = staff.get(f"/admin/orders/order/inspect/{order.pk}/").content.decode()
    assert "30.00" in html  # 2 lines × 2 × 7.50
    assert "https://dashboard.stripe.com/test/payments/pi_123" in html
    assert f"/orders/{order.pk}/invoice.pdf" in html
    settings.STRIPE_SECRET_KEY = "sk_live_abc"
    assert order.get_stripe_url() == "https://dashboard.stripe.com/payments/pi_123"


@pytest.mark.parametrize("count", [3, 30])
def test_inspect_view_query_budget(staff, django_assert_max_num_queries, count):
    order = OrderFactory()
    for _ in range(count):
        OrderItemFactory(order=order)
    url = f"/admin/orders/order/inspect/{order.pk}/"
    staff.get(url)
    with django_assert_max_num_queries(10) as captured:
        assert staff.get(url).status_code == 200
    assert len(captured) == 7, [q["sql"] for q in captured]


def test_csv_export_streams_the_filtered_list(staff):
    paid = OrderFactory(status="paid", first_name='=HYPERLINK("x")')
    OrderItemFactory(order=paid, product_name="+Pen", quantity=3, price=Decimal("2.00"))
    OrderFactory(email="unpaid@example.com")
    response = staff.get("/admin/orders/order/?status__exact=paid&export=csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[0] == "Order" and header[-1] == "Items"
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Order"] == str(paid.id)
    assert row["First name"] == '\'=HYPERLINK("x")'
    assert row["Items"] == "3 x +Pen @ 2.00"
    assert staff.get("/admin/orders/order/?export=xlsx").status_code == 400
    assert row["Created"] == paid.created.isoformat()
    assert row["Paid"] == "yes"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_look_like_formulas_are_escaped(value):
    assert escape_cell(value) == "'" + value
    assert escape_cell("plain") == "plain"


@pytest.mark.parametrize("count", [3, 30])
def test_csv_export_queries_do_not_grow(staff, django_assert_max_num_queries, count):
    for _ in range(count):
        order_with_items(2)
    response = staff.get("/admin/orders/order/?export=csv")
    with django_assert_max_num_queries(3) as captured:
        rows = csv_rows(response)
    assert len(rows) == count + 1
    assert len(captured) == 2  # orders, then their items (per chunk)


def test_sales_panel_on_the_dashboard(staff):
    now = timezone.now()
    today = order_with_items(1, price=Decimal("10.00"), status="paid")
    old = order_with_items(1, price=Decimal("5.00"), status="paid")
    Order.objects.filter(pk=old.pk).update(created=now - timedelta(days=10))
    order_with_items(1, price=Decimal("100.00"))  # unpaid: counted, not revenue
    html = staff.get("/admin/").content.decode()
    assert "Sales" in html and "<svg" in html
    assert "Paid revenue per day" in html
    # today: 2 orders, 20.00 paid; 30 days: 3 orders, 30.00 paid
    assert today.total == Decimal("20.00")
    assert "data-sales-orders>2<" in html and "data-sales-revenue>20.00<" in html
    assert "data-sales-orders>3<" in html and "data-sales-revenue>30.00<" in html


def test_sales_figures_take_one_query(django_assert_num_queries):
    from orders.selectors import sales_last_days

    order_with_items(1, status="paid")
    with django_assert_num_queries(1):
        days = sales_last_days(days=30)
    assert len(days) == 30 and days[-1].orders == 1


def test_csv_export_keeps_each_orders_items_across_chunks(staff, monkeypatch):
    from orders import exports

    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    orders = [order_with_items(n % 3 + 1) for n in range(5)]
    response = staff.get("/admin/orders/order/?export=csv")
    header, *rows = csv_rows(response)
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert len(rows) == 5
    for order in orders:
        expected = "; ".join(
            f"{i.quantity} x {i.product_name} @ {i.price}"
            for i in order.items.order_by("id")
        )
        assert by_id[str(order.id)]["Items"] == expected
