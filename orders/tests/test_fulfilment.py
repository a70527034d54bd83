"""Staff ship and deliver orders from the admin; the inspect view's timeline and
staff notes."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.utils import timezone

from mysite.settings.base import BASE_DIR
from orders.exceptions import InvalidOrderTransition
from orders.models import Order, OrderEvent
from orders.services.checkout import order_transition
from orders.services.fulfilment import order_mark_delivered, order_mark_shipped
from orders.services.history import order_event_record
from orders.tests.factories import OrderItemFactory, order_with_items

pytestmark = pytest.mark.django_db

Status = Order.Status


@pytest.fixture
def boss():
    return get_user_model().objects.create_superuser(
        "boss", "boss@example.com", "x", first_name="Bea", last_name="Boss"
    )


@pytest.fixture
def staff(client, boss):
    client.force_login(boss)
    return client


def staff_member(*codenames, is_staff=True):
    user = get_user_model().objects.create_user(
        f"clerk-{'-'.join(codenames) or 'none'}",
        "clerk@example.com",
        "x",
        is_staff=is_staff,
    )
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="orders", codename__in=codenames
        ),
    )
    return user


def inspect_url(order) -> str:
    return f"/admin/orders/order/inspect/{order.pk}/"


def action_url(name, order) -> str:
    return f"/admin/orders/order/{name}/{order.pk}/"


def shown_messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def button_labels(client, order) -> set[str]:
    html = client.get(inspect_url(order)).content.decode()
    return {
        label
        for label in ("Mark shipped", "Mark delivered", "Cancel order")
        if f"data-order-action>{label}<" in html
    }


SHIPMENT = {"carrier": "DHL", "tracking_number": "JD0146000"}


class TestButtons:
    @pytest.mark.parametrize(
        ("status", "expected"),
        [
            (Status.PENDING, {"Cancel order"}),
            (Status.PAID, {"Cancel order", "Mark shipped"}),
            (Status.FULFILLED, {"Mark delivered"}),
            (Status.DELIVERED, set()),
            (Status.CANCELED, set()),
            (Status.REFUNDED, set()),
        ],
    )
    def test_only_the_allowed_transitions_show(self, staff, status, expected):
        order = order_with_items(1, status=status)
        assert button_labels(staff, order) == expected

    def test_staff_without_fulfil_permission_see_no_button_and_get_403(self, client):
        paid = order_with_items(1, status=Status.PAID)
        shipped = order_with_items(1, status=Status.FULFILLED)
        client.force_login(staff_member("view_order", "cancel_order"))
        assert button_labels(client, paid) == {"Cancel order"}  # refunded, not shipped
        assert button_labels(client, shipped) == set()
        for name, order in (("ship", paid), ("deliver", shipped)):
            assert client.get(action_url(name, order)).status_code == 403
            assert client.post(action_url(name, order), SHIPMENT).status_code == 403
        assert Order.objects.get(pk=paid.pk).status == Status.PAID
        assert Order.objects.get(pk=shipped.pk).status == Status.FULFILLED

    def test_staff_with_fulfil_permission_may_ship_and_deliver(self, client):
        order = order_with_items(1, status=Status.PAID)
        clerk = staff_member("view_order", "fulfil_order")
        client.force_login(clerk)
        assert button_labels(client, order) == {"Mark shipped"}
        client.post(action_url("ship", order), SHIPMENT)
        assert button_labels(client, order) == {"Mark delivered"}
        client.post(action_url("deliver", order))
        order.refresh_from_db()
        assert order.status == Status.DELIVERED
        assert list(order.events.values_list("kind", "actor")) == [
            ("fulfilled", clerk.pk),
            ("delivered", clerk.pk),
        ]


class TestMarkShipped:
    def test_the_confirmation_page_has_the_form(self, staff):
        order = order_with_items(1, status=Status.PAID)
        response = staff.get(action_url("ship", order))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="carrier"' in html and 'name="tracking_number"' in html
        assert "csrfmiddlewaretoken" in html
        assert '<option value="DHL">' in html  # the known carriers, suggested
        assert Order.objects.get(pk=order.pk).status == Status.PAID

    def test_shipping_stores_carrier_tracking_and_the_event(self, staff, boss):
        order = order_with_items(1, status=Status.PAID)
        before = timezone.now()
        response = staff.post(
            action_url("ship", order),
            {"carrier": "  DHL ", "tracking_number": " JD0146000 "},
        )
        assert response.status_code == 302
        assert response["Location"] == inspect_url(order)
        assert "marked shipped" in shown_messages(response)
        order.refresh_from_db()
        assert order.status == Status.FULFILLED
        assert (order.carrier, order.tracking_number) == ("DHL", "JD0146000")
        assert before <= order.shipped_at <= timezone.now()
        event = order.events.get()
        assert (event.kind, event.actor) == ("fulfilled", boss)
        assert "DHL" in event.message and "JD0146000" in event.message

    @pytest.mark.parametrize(
        ("data", "error"),
        [
            ({"carrier": "", "tracking_number": "JD1"}, "This field is required"),
            ({"carrier": "DHL", "tracking_number": "   "}, "This field is required"),
            ({"carrier": "DHL"}, "This field is required"),
            ({"carrier": "DHL", "tracking_number": "9" * 101}, "at most 100"),
            ({"carrier": "D" * 101, "tracking_number": "JD1"}, "at most 100"),
            (
                {"carrier": "DHL", "tracking_number": "<script>"},
                "letters, digits, spaces and hyphens",
            ),
        ],
    )
    def test_invalid_input_shows_the_form_again_and_changes_nothing(
        self, staff, data, error
    ):
        order = order_with_items(1, status=Status.PAID)
        response = staff.post(action_url("ship", order), data)
        assert response.status_code == 200
        assert error in response.content.decode()
        order.refresh_from_db()
        assert order.status == Status.PAID
        assert (order.carrier, order.tracking_number, order.shipped_at) == (
            "",
            "",
            None,
        )
        assert not order.events.exists()

    @pytest.mark.parametrize(
        "status", [Status.PENDING, Status.FULFILLED, Status.CANCELED, Status.REFUNDED]
    )
    def test_on_a_wrong_status_a_message_not_an_error(self, staff, status):
        order = order_with_items(1, status=status)
        for response in (
            staff.get(action_url("ship", order)),
            staff.post(action_url("ship", order), SHIPMENT),
        ):
            assert response.status_code == 302
            assert "not possible" in shown_messages(response)
        assert Order.objects.get(pk=order.pk).status == status
        assert not OrderEvent.objects.filter(order=order).exists()

    def test_unknown_order_is_404(self, staff):
        assert staff.get("/admin/orders/order/ship/999999/").status_code == 404

    def test_changed_meanwhile_gives_a_message(self, staff, monkeypatch):
        order = order_with_items(1, status=Status.PAID)
        from orders import wagtail_hooks

        def raced(**kwargs):
            Order.objects.filter(pk=order.pk).update(status=Status.REFUNDED)
            return order_mark_shipped(**kwargs)

        monkeypatch.setattr(wagtail_hooks, "order_mark_shipped", raced)
        response = staff.post(action_url("ship", order), SHIPMENT)
        assert "changed meanwhile" in shown_messages(response)
        order.refresh_from_db()
        assert order.status == Status.REFUNDED and order.carrier == ""


class TestMarkDelivered:
    def test_delivered_sets_the_date(self, staff, boss):
        order = order_with_items(1, status=Status.FULFILLED)
        page = staff.get(action_url("deliver", order))
        assert (
            page.status_code == 200 and "Yes, mark delivered" in page.content.decode()
        )
        response = staff.post(action_url("deliver", order))
        assert "marked delivered" in shown_messages(response)
        order.refresh_from_db()
        assert order.status == Status.DELIVERED and order.delivered_at is not None
        assert order.events.get().actor == boss

    @pytest.mark.parametrize("status", [Status.PENDING, Status.PAID, Status.DELIVERED])
    def test_on_a_wrong_status_a_message(self, staff, status):
        order = order_with_items(1, status=status)
        response = staff.post(action_url("deliver", order))
        assert response.status_code == 302
        assert "not possible" in shown_messages(response)
        order.refresh_from_db()
        assert order.status == status and order.delivered_at is None


class TestServices:
    def test_ship_and_deliver_only_from_the_right_status(self):
        order = order_with_items(1)
        with pytest.raises(InvalidOrderTransition):
            order_mark_shipped(order=order, carrier="UPS", tracking_number="1Z")
        with pytest.raises(InvalidOrderTransition):
            order_mark_delivered(order=order)
        order = order_with_items(1, status=Status.PAID)
        order = order_mark_shipped(order=order, carrier="UPS", tracking_number="1Z")
        with pytest.raises(InvalidOrderTransition):
            order_mark_shipped(order=order, carrier="UPS", tracking_number="2Z")
        assert Order.objects.get(pk=order.pk).tracking_number == "1Z"
        order_mark_delivered(order=order)
        assert Order.objects.get(pk=order.pk).status == Status.DELIVERED

    def test_tracking_url_from_the_setting(self, settings):
        settings.ORDERS_TRACKING_URLS = {"DHL": "https://dhl.test/t?id={number}"}
        order = Order(carrier="dhl ", tracking_number="JD 01/4")
        assert order.get_tracking_url() == "https://dhl.test/t?id=JD%2001%2F4"
        assert Order(carrier="Pigeon", tracking_number="1").get_tracking_url() == ""
        assert Order(carrier="DHL", tracking_number="").get_tracking_url() == ""


def build_history(order, staff_user):
    order_transition(order=order, status=Status.PAID)
    order_event_record(order=order, kind="mail", message="invoice mail", mail="invoice")
    order_mark_shipped(
        order=order, carrier="DHL", tracking_number="JD0146000", by=staff_user
    )
    order_event_record(
        order=order, kind="note", actor=staff_user, message="Left at the door"
    )
    order_mark_delivered(order=order, by=staff_user)


class TestTimeline:
    def test_lists_every_event_with_who_and_when(self, staff, boss, settings):
        settings.ORDERS_TRACKING_URLS = {"DHL": "https://dhl.test/t?id={number}"}
        order = order_with_items(1)
        order_event_record(order=order, kind="placed")
        build_history(order, boss)
        html = staff.get(inspect_url(order)).content.decode()
        timeline = html[html.index("data-order-timeline") :]
        positions = [
            timeline.index(f'data-event="{kind}"')
            for kind in ("placed", "paid", "mail", "fulfilled", "note", "delivered")
        ]
        assert positions == sorted(positions)
        assert "Mail sent: invoice" in timeline
        assert "DHL, tracking number JD0146000" in timeline
        assert "Left at the door" in timeline
        assert timeline.count("Bea Boss") == 3  # shipped, note, delivered
        assert "Customer" in timeline and "System" in timeline
        assert 'href="https://dhl.test/t?id=JD0146000"' in html
        event = order.events.get(kind="fulfilled")
        assert event.created.isoformat() in timeline or (
            f'datetime="{timezone.localtime(event.created).isoformat()}"' in timeline
        )

    def test_query_budget_with_several_events_and_lines(
        self, staff, boss, django_assert_max_num_queries
    ):
        order = order_with_items(5)
        build_history(order, boss)
        for n in range(10):
            order_event_record(order=order, kind="note", actor=boss, message=f"n{n}")
        staff.get(inspect_url(order))
        with django_assert_max_num_queries(12):
            response = staff.get(inspect_url(order))
        assert response.content.decode().count('data-event="note"') == 11

    def test_query_budget_for_staff_with_permissions(
        self, client, boss, django_assert_max_num_queries
    ):
        order = order_with_items(5, status=Status.PAID)
        order_event_record(order=order, kind="note", actor=boss, message="x")
        client.force_login(staff_member("view_order", "fulfil_order", "cancel_order"))
        client.get(inspect_url(order))
        with django_assert_max_num_queries(12):
            response = client.get(inspect_url(order))
        assert "Mark shipped" in response.content.decode()


class TestNotes:
    def note_url(self, order):
        return action_url("note", order)

    def test_staff_add_a_note_with_their_name(self, staff, boss):
        order = order_with_items(1)
        html = staff.get(inspect_url(order)).content.decode()
        assert f'action="{self.note_url(order)}"' in html
        response = staff.post(self.note_url(order), {"message": "  Called them.  "})
        assert response["Location"] == inspect_url(order) + "#timeline"
        event = order.events.get()
        assert (event.kind, event.actor, event.message) == (
            "note",
            boss,
            "Called them.",
        )
        assert "Called them." in staff.get(inspect_url(order)).content.decode()

    @pytest.mark.parametrize(
        ("message", "error"),
        [("", "required"), ("   ", "required"), ("x" * 501, "at most 500")],
    )
    def test_a_bad_note_is_refused_with_a_message(self, staff, message, error):
        order = order_with_items(1)
        response = staff.post(self.note_url(order), {"message": message})
        assert response.status_code == 302
        assert "Note not added" in shown_messages(response)
        assert error in shown_messages(response)
        assert not order.events.exists()

    def test_only_by_post(self, staff):
        order = order_with_items(1)
        assert staff.get(self.note_url(order)).status_code == 405

    def test_staff_who_may_view_orders_may_add_notes(self, client):
        order = order_with_items(1)
        clerk = staff_member("view_order")
        client.force_login(clerk)
        client.post(self.note_url(order), {"message": "Checked"})
        assert order.events.get().actor == clerk

    @pytest.mark.parametrize(
        ("codenames", "is_staff"), [((), True), (("view_order",), False)]
    )
    def test_others_get_403(self, client, codenames, is_staff):
        order = order_with_items(1)
        client.force_login(staff_member(*codenames, is_staff=is_staff))
        assert client.post(self.note_url(order), {"message": "x"}).status_code == 403
        assert not order.events.exists()

    def test_anonymous_is_sent_to_the_login(self, client):
        order = order_with_items(1)
        response = client.post(self.note_url(order), {"message": "x"})
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        assert not order.events.exists()


def test_orders_shipped_long_ago_still_render(staff):
    order = order_with_items(1, status=Status.DELIVERED)
    OrderItemFactory(order=order)
    Order.objects.filter(pk=order.pk).update(
        shipped_at=timezone.now() - timedelta(days=400), carrier="Pigeon"
    )
    html = staff.get(inspect_url(order)).content.decode()
    assert "Nothing recorded yet." in html and "data-tracking-link" not in html


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        '["https://x.test/{number}"]',
        '{"DHL": "http://plain.test/{number}"}',
        '{"DHL": "https://no-placeholder.test/"}',
    ],
)
def test_a_bad_tracking_url_setting_stops_start_up_in_one_line(value):
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "check"],
        env={**os.environ, "ORDERS_TRACKING_URLS": value},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Configuration error: ORDERS_TRACKING_URLS must be a JSON object of carrier "
        "name to an https:// URL containing {number}."
    ]
