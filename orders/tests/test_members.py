"""Orders belong to members: checkout links and pre-fills, the member's order list
and order page (owner only), the invoice download, linking a guest order with a
signed link, and deleting a member."""

import io
import uuid
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import signing
from django.utils import timezone
from pypdf import PdfReader

from orders.models import Order, OrderEvent, OrderItem, Refund
from orders.services.history import order_event_record
from orders.services.invoice import invoice_render_pdf
from orders.services.members import (
    DELETED_EMAIL,
    member_checkout_initial,
    order_claim_token,
    order_status_label,
)
from shop.tests.factories import ProductFactory

from .factories import CUSTOMER, OrderFactory, order_with_items

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def member():
    return User.objects.create_user(
        "grace", "Grace@Example.com", "x", first_name="Grace", last_name="Hopper"
    )


@pytest.fixture
def other():
    return User.objects.create_user("mallory", "mallory@example.com", "x")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


# --- 1. Checkout ---------------------------------------------------------------


def add_to_cart(client, product, quantity=1):
    client.post(f"/cart/add/{product.id}/", {"quantity": quantity})


def checkout(client, **overrides):
    data = {**CUSTOMER, "token": str(uuid.uuid4()), **overrides}
    return client.post("/orders/create/", data)


def test_member_checkout_links_the_order_to_the_account(client, member):
    client.force_login(member)
    add_to_cart(client, ProductFactory(stock=5))
    response = checkout(client)
    assert response["Location"] == "/payment/process/"
    assert Order.objects.get().user == member


def test_guest_checkout_keeps_working(client):
    add_to_cart(client, ProductFactory(stock=5))
    assert checkout(client)["Location"] == "/payment/process/"
    order = Order.objects.get()
    assert order.user is None and order.email == CUSTOMER["email"]


def test_checkout_form_is_prefilled_from_account_and_latest_order(client, member):
    OrderFactory(user=member, address="Old Road 1", city="Arlington")
    latest = OrderFactory(
        user=member, address="2 New Street", postal_code="20500", city="Washington"
    )
    Order.objects.filter(pk=latest.pk).update(
        created=latest.created + timedelta(days=1)
    )
    client.force_login(member)
    add_to_cart(client, ProductFactory(stock=5))
    initial = client.get("/orders/create/").context["form"].initial
    assert initial["first_name"] == "Grace" and initial["last_name"] == "Hopper"
    assert initial["email"] == member.email
    assert (initial["address"], initial["postal_code"], initial["city"]) == (
        "2 New Street",
        "20500",
        "Washington",
    )
    assert "token" in initial


def test_prefill_without_orders_has_no_address_and_guests_get_nothing(member):
    initial = member_checkout_initial(user=member)
    assert initial == {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": member.email,
    }
    from django.contrib.auth.models import AnonymousUser

    assert member_checkout_initial(user=AnonymousUser()) == {}


def test_guest_checkout_form_is_empty(client):
    add_to_cart(client, ProductFactory(stock=5))
    initial = client.get("/orders/create/").context["form"].initial
    assert set(initial) == {"token"}


# --- 2. Order list and order page ------------------------------------------------


def test_order_list_requires_login(client):
    response = client.get("/account/orders/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_order_list_shows_only_own_orders_with_status_and_total(client, member, other):
    mine = order_with_items(user=member, status=Order.Status.FULFILLED)
    Order.objects.filter(pk=mine.pk).update(refunded_amount=Decimal("5.00"))
    theirs = order_with_items(user=other)
    client.force_login(member)
    html = client.get("/account/orders/").content.decode()
    assert f"Order {mine.number}" in html
    assert f"Order {theirs.number}" not in html
    assert "Shipped, partially refunded" in html
    assert f"{mine.total} EUR" in html
    assert f'href="/account/orders/{mine.number}/"' in html


def test_dashboard_links_to_the_orders(client, member):
    client.force_login(member)
    assert 'href="/account/orders/"' in client.get("/account/").content.decode()


@pytest.mark.parametrize("count", [1, 50])
def test_order_list_query_budget(client, member, count, django_assert_max_num_queries):
    for _ in range(count):
        OrderFactory(user=member, total=Decimal("12.00"))
    client.force_login(member)
    client.get("/account/orders/")  # warm the session
    with django_assert_max_num_queries(4):
        response = client.get("/account/orders/")
    assert response.status_code == 200
    assert len(response.context["orders"]) == min(count, 20)


def test_order_list_is_paginated_and_bad_pages_are_not_errors(client, member):
    for _ in range(25):
        OrderFactory(user=member)
    client.force_login(member)
    second = client.get("/account/orders/?page=2")
    assert len(second.context["orders"]) == 5
    for junk in ("abc", "999", "-1", "0"):
        assert client.get(f"/account/orders/?page={junk}").status_code == 200


def test_status_label():
    order = Order(status=Order.Status.PAID, refunded_amount=Decimal("0.00"))
    assert order_status_label(order) == "Paid"
    order.refunded_amount = Decimal("1.00")
    assert order_status_label(order) == "Paid, partially refunded"
    order.status = Order.Status.REFUNDED
    assert order_status_label(order) == "Refunded"


def test_order_page_shows_lines_shipping_and_customer_timeline(client, member):
    staff = User.objects.create_user(
        "clerk", "clerk@example.com", "x", first_name="Zed"
    )
    order = order_with_items(
        user=member,
        status=Order.Status.FULFILLED,
        carrier="DHL",
        tracking_number="JD0001234",
        discount_amount=Decimal("2.00"),
        coupon_code="WELCOME10",
        discount_percent=10,
    )
    order_event_record(order=order, kind=OrderEvent.Kind.PLACED)
    order_event_record(order=order, kind=OrderEvent.Kind.MAIL, mail="confirmation")
    order_event_record(order=order, kind=OrderEvent.Kind.FULFILLED, actor=staff)
    order_event_record(
        order=order, kind=OrderEvent.Kind.NOTE, actor=staff, message="Secret remark"
    )
    client.force_login(member)
    response = client.get(f"/account/orders/{order.number}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Shipped" in html and "DHL" in html and "JD0001234" in html
    for item in order.items.all():
        assert item.product_name in html
    assert "WELCOME10" in html and "−2.00" in html
    assert 'data-event="placed"' in html and 'data-event="fulfilled"' in html
    assert "(confirmation)" in html
    assert "by Shop" in html
    assert "note" not in [e.kind for e in response.context["events"]]
    assert "Secret remark" not in html and "Staff note" not in html
    assert "clerk" not in html and "Zed" not in html
    assert f'href="/account/orders/{order.number}/invoice.pdf"' in html


def test_order_page_query_budget(client, member, django_assert_max_num_queries):
    order = order_with_items(3, user=member, status=Order.Status.PAID)
    for _ in range(5):
        order_event_record(order=order, kind=OrderEvent.Kind.MAIL, mail="invoice")
    client.force_login(member)
    client.get(f"/account/orders/{order.number}/")
    # 5 before credit notes, +1 for them.
    with django_assert_max_num_queries(6):
        assert client.get(f"/account/orders/{order.number}/").status_code == 200


def test_other_members_and_anonymous_cannot_see_an_order(client, member, other):
    order = order_with_items(user=member, status=Order.Status.PAID)
    guest = order_with_items(status=Order.Status.PAID)
    client.force_login(other)
    for url in (
        f"/account/orders/{order.number}/",
        f"/account/orders/{order.number}/invoice.pdf",
        f"/account/orders/{guest.number}/",
        f"/account/orders/{guest.number}/invoice.pdf",
    ):
        assert client.get(url).status_code == 404, url
    client.logout()
    response = client.get(f"/account/orders/{order.number}/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


@pytest.mark.parametrize(
    "junk",
    ["abc", "0", "000000", "12a", "99999999999999999999", "9223372036854775808", "-1"],
)
def test_junk_order_numbers_are_404(client, member, junk):
    client.force_login(member)
    assert client.get(f"/account/orders/{junk}/").status_code == 404
    assert client.get(f"/account/orders/{junk}/invoice.pdf").status_code == 404


def test_unpadded_number_finds_the_same_order(client, member):
    order = OrderFactory(user=member)
    client.force_login(member)
    assert client.get(f"/account/orders/{order.pk}/").status_code == 200


def test_member_downloads_the_invoice_of_a_paid_order(client, member):
    order = order_with_items(user=member, status=Order.Status.DELIVERED)
    client.force_login(member)
    response = client.get(f"/account/orders/{order.number}/invoice.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"invoice-{order.number}.pdf" in response["Content-Disposition"]
    assert order.number in pdf_text(response.content)


def test_no_invoice_for_unpaid_orders(client, member):
    for status in (Order.Status.PENDING, Order.Status.CANCELED):
        order = order_with_items(user=member, status=status)
        client.force_login(member)
        page = client.get(f"/account/orders/{order.number}/").content.decode()
        assert "invoice.pdf" not in page
        url = f"/account/orders/{order.number}/invoice.pdf"
        assert client.get(url).status_code == 404


# --- 2b. Credit notes ---------------------------------------------------------------


def confirmed_refund(order, amount="5.00", **kwargs) -> Refund:
    """A refund as Stripe confirmed it (what the webhook leaves behind)."""
    fields = {
        "status": Refund.Status.SUCCEEDED,
        "confirmed_at": timezone.now(),
        "mail_sent_at": timezone.now(),
        **kwargs,
    }
    return Refund.objects.create(
        order=order, amount=Decimal(amount), currency=order.currency, **fields
    )


def credit_note_url(order, refund) -> str:
    return f"/account/orders/{order.number}/credit-notes/{refund.pk}.pdf"


@pytest.fixture
def refunded_order(member):
    order = order_with_items(user=member, status=Order.Status.PAID)
    Order.objects.filter(pk=order.pk).update(refunded_amount=Decimal("5.00"))
    return order


def test_order_page_lists_a_credit_note_per_confirmed_refund(
    client, member, refunded_order
):
    first = confirmed_refund(refunded_order, "5.00")
    second = confirmed_refund(refunded_order, "3.50")
    requested = Refund.objects.create(order=refunded_order, amount=Decimal("2.00"))
    failed = confirmed_refund(refunded_order, "1.00", status=Refund.Status.FAILED)
    client.force_login(member)
    html = client.get(f"/account/orders/{refunded_order.number}/").content.decode()
    for refund in (first, second):
        assert f'href="{credit_note_url(refunded_order, refund)}"' in html
        assert f"Credit note {refund.number} (PDF)" in html
    assert "5.00 EUR refunded" in html and "3.50 EUR refunded" in html
    for refund in (requested, failed):
        assert refund.number not in html
    assert html.count('data-document="credit-note"') == 2


def test_member_downloads_a_credit_note(client, member, refunded_order):
    refund = confirmed_refund(refunded_order, "5.00", reason="Arrived damaged")
    client.force_login(member)
    response = client.get(credit_note_url(refunded_order, refund))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"credit-note-{refund.number}.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert refund.number in text and refunded_order.number in text
    assert "5.00" in text


def test_other_members_and_anonymous_get_no_credit_note(
    client, member, other, refunded_order
):
    refund = confirmed_refund(refunded_order)
    url = credit_note_url(refunded_order, refund)
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_unconfirmed_refunds_have_no_credit_note(client, member, refunded_order):
    client.force_login(member)
    for status in (
        Refund.Status.REQUESTED,
        Refund.Status.FAILED,
        Refund.Status.CANCELED,
    ):
        refund = Refund.objects.create(
            order=refunded_order, amount=Decimal("1.00"), status=status
        )
        assert client.get(credit_note_url(refunded_order, refund)).status_code == 404


def test_a_refund_of_another_order_is_404(client, member, other, refunded_order):
    """Even the member's own other order: the refund must belong to the order in
    the URL (and another member's refund never shows through the member's order)."""
    my_other = order_with_items(user=member, status=Order.Status.PAID)
    mine = confirmed_refund(my_other)
    theirs = confirmed_refund(order_with_items(user=other, status=Order.Status.PAID))
    client.force_login(member)
    assert client.get(credit_note_url(refunded_order, mine)).status_code == 404
    assert client.get(credit_note_url(refunded_order, theirs)).status_code == 404
    assert client.get(credit_note_url(my_other, mine)).status_code == 200


@pytest.mark.parametrize(
    "junk", ["abc", "0", "-1", "1a", "99999999999999999999", "9223372036854775808"]
)
def test_junk_credit_note_ids_are_404(client, member, refunded_order, junk):
    client.force_login(member)
    url = f"/account/orders/{refunded_order.number}/credit-notes/{junk}.pdf"
    assert client.get(url).status_code == 404


def test_refunded_order_page_query_budget(
    client, member, refunded_order, django_assert_max_num_queries
):
    """Credit notes cost one query, however many refunds the order has."""
    for _ in range(5):
        confirmed_refund(refunded_order, "1.00")
        order_event_record(order=refunded_order, kind=OrderEvent.Kind.REFUND)
    client.force_login(member)
    client.get(f"/account/orders/{refunded_order.number}/")
    with django_assert_max_num_queries(6):
        response = client.get(f"/account/orders/{refunded_order.number}/")
    assert response.status_code == 200
    assert response.content.decode().count('data-document="credit-note"') == 5


# --- 3. Linking a guest order -----------------------------------------------------


@pytest.fixture
def guest_order():
    return order_with_items(email="grace@example.com", status=Order.Status.PAID)


def claim_url(order) -> str:
    return f"/account/orders/save/{order_claim_token(order=order)}/"


def test_payment_completed_page_offers_to_save_a_guest_order(client, guest_order):
    session = client.session
    session["order_id"] = guest_order.id
    session.save()
    html = client.get("/payment/completed/").content.decode()
    assert "Save this order to your account" in html
    assert "/account/orders/save/" in html


def test_payment_completed_page_of_a_member_links_to_the_order(client, member):
    order = order_with_items(user=member, status=Order.Status.PAID)
    client.force_login(member)
    session = client.session
    session["order_id"] = order.id
    session.save()
    html = client.get("/payment/completed/").content.decode()
    assert "Save this order" not in html
    assert f"/account/orders/{order.number}/" in html


def test_claim_link_needs_login(client, guest_order):
    url = claim_url(guest_order)
    response = client.get(url)
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert Order.objects.get(pk=guest_order.pk).user is None


def test_member_with_the_same_email_links_the_guest_order(client, member, guest_order):
    client.force_login(member)
    url = claim_url(guest_order)
    page = client.get(url)
    assert page.status_code == 200 and guest_order.number in page.content.decode()
    assert Order.objects.get(pk=guest_order.pk).user is None  # GET changes nothing
    response = client.post(url)
    assert response["Location"] == f"/account/orders/{guest_order.number}/"
    assert Order.objects.get(pk=guest_order.pk).user == member
    assert any("now in your account" in m for m in messages_of(response))
    # Opened again: already linked.
    again = client.post(url)
    assert any("already in your account" in m for m in messages_of(again))


def test_another_member_is_refused(client, other, guest_order):
    client.force_login(other)
    response = client.post(claim_url(guest_order))
    assert response.status_code == 302
    assert any("another e-mail address" in m for m in messages_of(response))
    assert Order.objects.get(pk=guest_order.pk).user is None


def test_an_order_of_another_account_is_not_taken(client, member, other, guest_order):
    Order.objects.filter(pk=guest_order.pk).update(user=other)
    client.force_login(member)
    response = client.post(claim_url(guest_order))
    assert any("already belongs to an account" in m for m in messages_of(response))
    assert Order.objects.get(pk=guest_order.pk).user == other


def test_no_link_by_email_alone(client, member, guest_order):
    """Same address, but no signed link: the order stays a guest order."""
    client.force_login(member)
    assert (
        f"Order {guest_order.number}"
        not in client.get("/account/orders/").content.decode()
    )
    assert Order.objects.get(pk=guest_order.pk).user is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.split(":")[0],
        lambda token: "junk",
        lambda token: "a:b:c",
        lambda token: signing.TimestampSigner(salt="other").sign_object({"o": 1}),
        lambda token: signing.TimestampSigner(salt="orders.claim").sign_object(
            {"x": 1}
        ),
        lambda token: signing.TimestampSigner(salt="orders.claim").sign_object(
            {"o": "abc", "e": "grace@example.com"}
        ),
    ],
)
def test_tampered_links_are_400_never_500(client, member, guest_order, mangle):
    client.force_login(member)
    url = f"/account/orders/save/{mangle(order_claim_token(order=guest_order))}/"
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert Order.objects.get(pk=guest_order.pk).user is None


def test_expired_link_is_refused(client, member, guest_order):
    client.force_login(member)
    url = claim_url(guest_order)
    with mock.patch("orders.services.members.CLAIM_MAX_AGE", -1):
        response = client.post(url)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert Order.objects.get(pk=guest_order.pk).user is None


def test_link_for_a_deleted_order_or_changed_email(client, member, guest_order):
    client.force_login(member)
    url = claim_url(guest_order)
    Order.objects.filter(pk=guest_order.pk).update(email="someone@example.com")
    response = client.post(url)
    assert response.status_code == 302
    assert any("no longer exists" in m for m in messages_of(response))
    Order.objects.filter(pk=guest_order.pk).delete()
    assert client.post(url).status_code == 302


def mail_links(message) -> tuple[str, str]:
    """The claim link of a mail's text part and of its HTML part."""
    import re

    pattern = r"http://testserver/account/orders/save/[^\s\"<]+/"
    html = message.alternatives[0][0]
    text_links = re.findall(pattern, message.body)
    html_links = re.findall(r'href="(' + pattern + ')"', html)
    assert len(text_links) == 1 and len(html_links) == 1, (message.body, html)
    assert "Save this order to your account" in message.body
    assert "Save this order to your account" in html
    return text_links[0], html_links[0]


def test_guest_confirmation_mail_offers_a_working_claim_link(
    client, member, guest_order
):
    from django.core import mail

    from orders.services.mail import order_send_mail

    assert order_send_mail(order_id=guest_order.pk, kind="confirmation")
    (message,) = mail.outbox
    assert message.to == [guest_order.email]
    text_link, html_link = mail_links(message)
    assert text_link == html_link
    path = text_link.removeprefix("http://testserver")
    client.force_login(member)
    page = client.get(path)
    assert page.status_code == 200 and guest_order.number in page.content.decode()
    response = client.post(path)
    assert response["Location"] == f"/account/orders/{guest_order.number}/"
    assert Order.objects.get(pk=guest_order.pk).user == member


def test_claim_link_in_mail_uses_the_sites_address(settings, guest_order):
    from django.core import mail

    from orders.services.mail import order_send_mail

    settings.WAGTAILADMIN_BASE_URL = "https://shop.example.org/"
    assert order_send_mail(order_id=guest_order.pk, kind="confirmation")
    body = mail.outbox[0].body
    assert "https://shop.example.org/account/orders/save/" in body
    assert "org//account" not in body


def test_member_confirmation_mail_has_no_claim_link(member):
    from django.core import mail

    from orders.services.mail import order_send_mail

    order = order_with_items(user=member, email=member.email)
    assert order_send_mail(order_id=order.pk, kind="confirmation")
    (message,) = mail.outbox
    assert "/account/orders/save/" not in message.body
    assert "/account/orders/save/" not in message.alternatives[0][0]
    assert "Save this order" not in message.body


# --- 4. Deleting a member ---------------------------------------------------------


def test_deleting_a_member_keeps_anonymised_orders_and_invoice(member):
    order = order_with_items(
        user=member,
        first_name="Grace",
        last_name="Hopper",
        email="grace@example.com",
        address="1 Compiler Way",
        status=Order.Status.PAID,
    )
    guest = order_with_items(first_name="Ann", email="ann@example.com")
    member.delete()
    order.refresh_from_db()
    assert order.user is None
    assert order.full_name == "Deleted member"
    assert order.email == DELETED_EMAIL
    assert order.address == "1 Compiler Way"
    assert OrderItem.objects.filter(order=order).count() == 2
    text = pdf_text(invoice_render_pdf(order=order))
    assert "Deleted member" in text and "Grace" not in text
    assert "1 Compiler Way" in text
    guest.refresh_from_db()
    assert guest.first_name == "Ann" and guest.email == "ann@example.com"


def test_bulk_deleting_members_anonymises_too(member, other):
    order = order_with_items(user=member, first_name="Grace")
    theirs = order_with_items(user=other, first_name="Mallory")
    User.objects.filter(pk__in=[member.pk, other.pk]).delete()
    assert set(
        Order.objects.filter(pk__in=[order.pk, theirs.pk]).values_list(
            "first_name", flat=True
        )
    ) == {"Deleted"}


# --- 5. Demo ----------------------------------------------------------------------


def test_demo_member_gets_an_order_history_once(client):
    from django.core.management.base import BaseCommand

    from orders.demo_members import load_member_orders

    ann = User.objects.create_user("ann", "ann@example.com", "x", first_name="Ann")
    products = [ProductFactory() for _ in range(5)]
    command = BaseCommand(stdout=io.StringIO())
    load_member_orders(command, products)
    load_member_orders(command, products)
    orders = Order.objects.filter(user=ann)
    assert sorted(orders.values_list("status", flat=True)) == sorted(
        ["delivered", "canceled", "paid", "fulfilled"]
    )
    assert all(order.items.exists() for order in orders)
    shipped = orders.get(status="fulfilled")
    assert shipped.carrier == "UPS" and shipped.shipped_at is not None
    refunded = orders.get(status="paid")
    assert 0 < refunded.refunded_amount < refunded.total
    assert OrderEvent.objects.filter(order__user=ann).count() == 17
    client.force_login(ann)
    html = client.get("/account/orders/").content.decode()
    assert "Paid, partially refunded" in html and "Delivered" in html
    assert "4 (0 new)" in command.stdout.getvalue()
    # Demo orders are not news: the mail sweep finds nothing to send ann.
    from orders.services.mail import mail_sweep_unsent

    assert mail_sweep_unsent(min_age=timedelta(0)) == 0


def test_demo_member_history_is_skipped_without_the_member():
    from django.core.management.base import BaseCommand

    from orders.demo_members import load_member_orders

    command = BaseCommand(stdout=io.StringIO())
    load_member_orders(command, [ProductFactory()])
    assert Order.objects.count() == 0
    assert "no such member" in command.stdout.getvalue()
