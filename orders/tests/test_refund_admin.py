"""Staff refunds from the order admin: the "Refund…" form, canceling a paid order
(refunded in full, canceled when Stripe confirms), and the credit note download."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from orders.models import Order, Refund
from orders.tests.factories import OrderFactory, OrderItemFactory
from orders.tests.test_admin import shown_messages, staff_member
from orders.tests.test_webhook import post
from shop.models import Product

pytestmark = pytest.mark.django_db

PI = "pi_admin_refunds"


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "x")
    client.force_login(user)
    return client


@pytest.fixture
def paid_order(fake_stripe):
    order = OrderFactory(
        status=Order.Status.PAID, stripe_payment_intent_id=PI, total=Decimal("50.00")
    )
    OrderItemFactory(order=order, price=Decimal("10.00"), quantity=2)
    OrderItemFactory(order=order, price=Decimal("30.00"), quantity=1)
    fake_stripe.add_payment(PI, 5000)
    return order


def refund_url(order) -> str:
    return f"/admin/orders/order/refund/{order.pk}/"


def inspect(client, order) -> str:
    return client.get(f"/admin/orders/order/inspect/{order.pk}/").content.decode()


def confirm(client, fake_stripe, refund: Refund):
    refund.refresh_from_db()
    for event in fake_stripe.settle_refund(refund.stripe_refund_id, deliver=False):
        assert post(client, event).status_code == 200


def test_refund_form_refunds_a_line_partially(staff, paid_order, fake_stripe):
    cheap, dear = paid_order.items.order_by("id")
    html = inspect(staff, paid_order)
    assert f'href="{refund_url(paid_order)}"' in html and "Refund…" in html
    page = staff.get(refund_url(paid_order))
    assert page.status_code == 200
    form = page.content.decode()
    assert f'name="quantity_{cheap.id}"' in form and 'name="restock"' in form

    response = staff.post(
        refund_url(paid_order), {f"quantity_{cheap.id}": "1", "restock": "on"}
    )
    assert response.status_code == 302
    assert "requested from Stripe" in shown_messages(response)
    refund = Refund.objects.get()
    assert refund.amount == Decimal("10.00") and refund.restock
    assert refund.requested_by.username == "boss"
    stock = Product.objects.get(pk=cheap.product_id).stock

    confirm(staff, fake_stripe, refund)
    paid_order.refresh_from_db()
    assert paid_order.refunded_amount == Decimal("10.00")
    assert Product.objects.get(pk=cheap.product_id).stock == stock + 1
    html = inspect(staff, paid_order)
    assert "partially refunded" in html and "Succeeded" in html
    assert refund.get_credit_note_url() in html


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"amount": "50.01"}, "At most 50.00"),
        ({"amount": "0"}, "greater than or equal to 0.01"),
        ({"amount": "-3"}, "greater than or equal to 0.01"),
        ({"amount": "abc"}, "Enter a number"),
        ({"quantity_cheap": "0"}, "greater than or equal to 1"),
        ({"quantity_cheap": "-1"}, "greater than or equal to 1"),
        ({"quantity_cheap": "3"}, "less than or equal to 2"),
        ({}, "Choose units to refund, or an amount"),
        ({"amount": "5", "restock": "on"}, "Restocking needs"),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_sent(
    staff, paid_order, fake_stripe, data, error
):
    cheap = paid_order.items.order_by("id").first()
    if "quantity_cheap" in data:
        data[f"quantity_{cheap.id}"] = data.pop("quantity_cheap")
    response = staff.post(refund_url(paid_order), data)
    assert response.status_code == 200  # the form again, with the error
    assert error in response.content.decode()
    assert fake_stripe.refund_requests() == [] and not Refund.objects.exists()


def test_stripe_unreachable_is_a_message_and_changes_nothing(
    staff, paid_order, fake_stripe
):
    fake_stripe.refunds_down = True
    response = staff.post(refund_url(paid_order), {"amount": "5.00"})
    assert response.status_code == 302
    assert "could not be reached" in shown_messages(response)
    paid_order.refresh_from_db()
    assert paid_order.refunded_amount == 0 and paid_order.status == Order.Status.PAID
    assert Refund.objects.get().status == Refund.Status.FAILED


def test_without_the_refund_permission_no_button_and_403(client, paid_order):
    client.force_login(staff_member("view_order", "cancel_order"))
    assert "Refund…" not in inspect(client, paid_order)
    assert client.get(refund_url(paid_order)).status_code == 403
    assert client.post(refund_url(paid_order), {"amount": "5"}).status_code == 403
    assert not Refund.objects.exists()


def test_with_the_refund_permission_the_button_shows(client, paid_order):
    client.force_login(staff_member("view_order", "refund_order"))
    assert "Refund…" in inspect(client, paid_order)
    assert client.get(refund_url(paid_order)).status_code == 200


def test_no_refund_button_on_unpaid_or_fully_requested_orders(staff, paid_order):
    pending = OrderFactory(total=Decimal("5.00"))
    assert refund_url(pending) not in inspect(staff, pending)
    assert "not possible" in shown_messages(staff.post(refund_url(pending), {}))
    assert refund_url(paid_order) in inspect(staff, paid_order)
    staff.post(refund_url(paid_order), {"amount": "50.00"})
    assert refund_url(paid_order) not in inspect(staff, paid_order)  # all requested


def test_cancel_a_paid_order_refunds_it_then_cancels_it(staff, paid_order, fake_stripe):
    items = list(paid_order.items.order_by("id"))
    stock = {i.product_id: Product.objects.get(pk=i.product_id).stock for i in items}
    assert "Cancel order" in inspect(staff, paid_order)
    response = staff.post(f"/admin/orders/order/cancel/{paid_order.pk}/")
    assert "requested from Stripe" in shown_messages(response)
    refund = Refund.objects.get()
    assert refund.cancels_order and refund.restock and refund.amount == Decimal("50.00")
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.PAID  # until Stripe confirms

    confirm(staff, fake_stripe, refund)
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.CANCELED
    assert paid_order.refunded_amount == Decimal("50.00")
    for item in items:
        expected = stock[item.product_id] + item.quantity
        assert Product.objects.get(pk=item.product_id).stock == expected


def test_cancel_of_a_paid_order_with_stripe_down_changes_nothing(
    staff, paid_order, fake_stripe
):
    fake_stripe.refunds_down = True
    response = staff.post(f"/admin/orders/order/cancel/{paid_order.pk}/")
    assert "Not canceled: Stripe could not be reached" in shown_messages(response)
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.PAID


def test_credit_note_download_needs_view_order(staff, paid_order, fake_stripe):
    staff.post(refund_url(paid_order), {"amount": "12.50"})
    refund = Refund.objects.get()
    url = refund.get_credit_note_url()
    assert staff.get(url).status_code == 404  # not confirmed yet: no credit note
    confirm(staff, fake_stripe, refund)
    response = staff.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages
    )
    assert refund.number in text and "12.50" in text and paid_order.number in text
    staff.logout()
    assert staff.get(url).status_code == 302  # to the login
    staff.force_login(staff_member())
    assert staff.get(url).status_code == 403


def test_sales_panel_and_csv_show_gross_discounts_refunds_and_net(staff):
    # Paid 40.00 after a 10.00 coupon discount, 15.00 refunded since.
    partly = OrderFactory(
        status=Order.Status.PAID,
        total=Decimal("40.00"),
        discount_amount=Decimal("10.00"),
        refunded_amount=Decimal("15.00"),
    )
    # Canceled after payment: 20.00 charged, all given back.
    canceled = OrderFactory(
        status=Order.Status.CANCELED,
        total=Decimal("20.00"),
        refunded_amount=Decimal("20.00"),
        paid_at=partly.created,
    )
    OrderFactory(status=Order.Status.PENDING, total=Decimal("99.00"))  # unpaid
    html = staff.get("/admin/").content.decode()
    assert "Refunds (EUR)" in html and "Net revenue (EUR)" in html
    assert "data-sales-orders>3<" in html
    assert "data-sales-gross>70.00<" in html  # 50 + 20
    assert "data-sales-discounts>10.00<" in html
    assert "data-sales-refunds>35.00<" in html
    assert "data-sales-revenue>25.00<" in html  # 70 - 10 - 35

    response = staff.get("/admin/orders/order/?export=csv")
    body = b"".join(response.streaming_content).decode()[1:]
    header, *rows = list(csv.reader(io.StringIO(body)))
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert header.index("Total") < header.index("Refunded") < header.index("Net")
    assert (by_id[str(partly.id)]["Refunded"], by_id[str(partly.id)]["Net"]) == (
        "15.00",
        "25.00",
    )
    assert by_id[str(canceled.id)]["Net"] == "0.00"
    assert {row["Net"] for row in by_id.values()} == {"25.00", "0.00"}


@pytest.mark.parametrize("count", [1, 10])
def test_inspect_view_with_refunds_keeps_its_query_budget(
    staff, paid_order, django_assert_max_num_queries, count
):
    for n in range(count):
        Refund.objects.create(
            order=paid_order,
            amount=Decimal("1.00"),
            status=Refund.Status.SUCCEEDED,
            stripe_refund_id=f"re_budget_{n}",
        )
    url = f"/admin/orders/order/inspect/{paid_order.pk}/"
    staff.get(url)
    with django_assert_max_num_queries(12) as captured:
        html = staff.get(url).content.decode()
    assert html.count("data-credit-note-link") == count
    assert len(captured) == 9, [q["sql"] for q in captured]  # as with no refunds
