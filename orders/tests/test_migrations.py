"""Migrations that change what is stored keep what old rows mean."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from orders.models import Order

BEFORE = [("orders", "0002_initial")]  # `paid` column, `stripe_id`


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes("orders")


def order_indexes() -> list[list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "orders_order")
    return [c["columns"] for c in constraints.values() if c["index"]]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_old_paid_and_unpaid_orders_keep_their_meaning():
    after = latest()
    executor = migrate(BEFORE)
    try:
        OldOrder = executor.loader.project_state(BEFORE).apps.get_model(
            "orders", "Order"
        )
        customer = {
            "first_name": "Old",
            "last_name": "Row",
            "address": "1 Legacy Lane",
            "postal_code": "1000",
            "city": "Before",
        }
        rows = {
            "paid": OldOrder.objects.create(
                email="paid@example.com",
                status="paid",
                paid=True,
                stripe_id="pi_old_paid",
                **customer,
            ),
            # Paid, but the status never caught up: the flag wins.
            "flag-only": OldOrder.objects.create(
                email="flag@example.com",
                status="pending",
                paid=True,
                stripe_id="pi_old_flag",
                **customer,
            ),
            "unpaid": OldOrder.objects.create(
                email="unpaid@example.com", status="pending", paid=False, **customer
            ),
            "canceled": OldOrder.objects.create(
                email="canceled@example.com", status="canceled", paid=False, **customer
            ),
        }
    finally:
        migrate(after)

    orders = {key: Order.objects.get(pk=row.pk) for key, row in rows.items()}
    assert {key: order.status for key, order in orders.items()} == {
        "paid": "paid",
        "flag-only": "paid",
        "unpaid": "pending",
        "canceled": "canceled",
    }
    assert {key for key, order in orders.items() if order.is_paid} == {
        "paid",
        "flag-only",
    }
    assert orders["paid"].stripe_payment_intent_id == "pi_old_paid"
    assert orders["unpaid"].stripe_payment_intent_id == ""
    with connection.cursor() as cursor:
        columns = [
            c.name
            for c in connection.introspection.get_table_description(
                cursor, "orders_order"
            )
        ]
    assert "paid" not in columns and "stripe_id" not in columns
    assert ["status", "created"] in order_indexes()
    assert not any("paid" in index for index in order_indexes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_going_back_sets_the_old_flag_from_the_status():
    after = latest()
    paid = Order.objects.create(
        first_name="New",
        last_name="Row",
        email="new@example.com",
        address="1 Current Road",
        postal_code="2000",
        city="After",
        status=Order.Status.PAID,
        stripe_payment_intent_id="pi_new",
    )
    executor = migrate(BEFORE)
    try:
        OldOrder = executor.loader.project_state(BEFORE).apps.get_model(
            "orders", "Order"
        )
        old = OldOrder.objects.get(pk=paid.pk)
        assert (old.paid, old.status, old.stripe_id) == (True, "paid", "pi_new")
    finally:
        migrate(after)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_orders_shipped_or_canceled_before_the_new_mails_are_not_mailed():
    before = [("orders", "0008_order_lifecycle_history")]
    after = latest()
    executor = migrate(before)
    try:
        OldOrder = executor.loader.project_state(before).apps.get_model(
            "orders", "Order"
        )
        customer = {
            "first_name": "Old",
            "last_name": "Row",
            "email": "old@example.com",
            "address": "1 Legacy Lane",
            "postal_code": "1000",
            "city": "Before",
        }
        rows = {
            status: OldOrder.objects.create(status=status, **customer)
            for status in ("pending", "paid", "canceled", "fulfilled", "delivered")
        }
    finally:
        migrate(after)

    orders = {key: Order.objects.get(pk=row.pk) for key, row in rows.items()}
    assert {key for key, order in orders.items() if order.canceled_mail_sent_at} == {
        "canceled"
    }
    assert {key for key, order in orders.items() if order.shipped_mail_sent_at} == {
        "fulfilled",
        "delivered",
    }
