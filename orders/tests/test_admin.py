"""Staff admin: order list, search, inspect, CSV export and the sales panel."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from orders.exports import escape_cell
from orders.models import Order
from orders.services.payment import payment_checkout_session_url
from orders.tests.factories import OrderFactory, OrderItemFactory, order_with_items
from shop.models import Product
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
    assert len(captured) == 9, [q["sql"] for q in captured]  # + timeline, refunds


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
    assert "Net revenue per day" in html
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


def staff_member(*codenames):
    """A staff member who may use the admin and has the given order permissions."""
    user = get_user_model().objects.create_user(
        f"clerk-{'-'.join(codenames) or 'none'}",
        "clerk@example.com",
        "x",
        is_staff=True,
    )
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="orders", codename__in=codenames
        ),
    )
    return user


def cancel_url(order) -> str:
    return f"/admin/orders/order/cancel/{order.pk}/"


def shown_messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


class TestStaffCancel:
    def test_the_button_shows_only_on_pending_or_paid_orders(self, staff):
        pending = order_with_items(1)
        # Shipped: too late to cancel (a paid one is, see test_refund_admin.py).
        paid = order_with_items(1, status=Order.Status.FULFILLED)
        html = staff.get(f"/admin/orders/order/inspect/{pending.pk}/").content.decode()
        assert f'href="{cancel_url(pending)}"' in html and "Cancel order" in html
        html = staff.get(f"/admin/orders/order/inspect/{paid.pk}/").content.decode()
        assert "Cancel order" not in html
        # …and the URL refuses with a message, changing nothing.
        response = staff.post(cancel_url(paid))
        assert response.status_code == 302
        assert "not possible" in shown_messages(response)
        assert Order.objects.get(pk=paid.pk).status == Order.Status.FULFILLED

    def test_confirm_then_cancel_releases_the_stock_and_closes_stripe(
        self, staff, fake_stripe
    ):
        order = order_with_items(2)
        payment_checkout_session_url(
            order=order, success_url="http://s/ok/", cancel_url="http://s/no/"
        )
        order.refresh_from_db()
        before = {i.product_id: i.product.stock for i in order.items.all()}
        page = staff.get(cancel_url(order))
        assert page.status_code == 200
        html = page.content.decode()
        assert 'method="post"' in html and "csrfmiddlewaretoken" in html
        assert "Yes, cancel the order" in html
        assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING

        response = staff.post(cancel_url(order))
        assert response["Location"] == f"/admin/orders/order/inspect/{order.pk}/"
        assert "canceled" in shown_messages(response)
        order.refresh_from_db()
        assert order.status == Order.Status.CANCELED
        for product_id, stock in before.items():
            assert Product.objects.get(pk=product_id).stock == stock + 2
        assert fake_stripe.sessions[order.stripe_session_id]["status"] == "expired"
        # Twice: refused, released once.
        assert "not possible" in shown_messages(staff.post(cancel_url(order)))
        for product_id, stock in before.items():
            assert Product.objects.get(pk=product_id).stock == stock + 2

    def test_a_payment_stripe_already_took_is_not_canceled(self, staff, fake_stripe):
        order = order_with_items(1)
        payment_checkout_session_url(
            order=order, success_url="http://s/ok/", cancel_url="http://s/no/"
        )
        order.refresh_from_db()
        fake_stripe.complete(order.stripe_session_id, deliver=False)
        stock = Product.objects.get(pk=order.items.get().product_id).stock
        response = staff.post(cancel_url(order))
        assert "Not canceled: Stripe reports the payment" in shown_messages(response)
        order.refresh_from_db()
        assert order.status == Order.Status.PENDING
        assert Product.objects.get(pk=order.items.get().product_id).stock == stock

    def test_stripe_unreachable_changes_nothing(self, staff, fake_stripe, settings):
        order = order_with_items(1, stripe_session_id="cs_test_somewhere")
        settings.STRIPE_API_BASE = "http://127.0.0.1:9"
        response = staff.post(cancel_url(order))
        assert "could not be reached" in shown_messages(response)
        assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING

    def test_staff_without_the_permission_get_403(self, client):
        order = order_with_items(1)
        client.force_login(staff_member("view_order"))
        html = client.get(f"/admin/orders/order/inspect/{order.pk}/").content.decode()
        assert "Cancel order" not in html
        assert client.get(cancel_url(order)).status_code == 403
        assert client.post(cancel_url(order)).status_code == 403
        assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING

    def test_staff_with_the_permission_may_cancel(self, client):
        order = order_with_items(1)
        client.force_login(staff_member("view_order", "cancel_order"))
        html = client.get(f"/admin/orders/order/inspect/{order.pk}/").content.decode()
        assert "Cancel order" in html
        client.post(cancel_url(order))
        assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELED

    def test_a_post_without_the_csrf_token_is_refused(self):
        order = order_with_items(1)
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(
            get_user_model().objects.create_superuser("root", "r@example.com", "x")
        )
        assert browser.post(cancel_url(order)).status_code == 403
        assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING

    def test_the_permission_can_be_given_to_a_group_in_the_admin(self, staff):
        permission = Permission.objects.get(codename="cancel_order")
        html = staff.get("/admin/groups/new/").content.decode()
        assert f'name="permissions" value="{permission.pk}"' in html
