"""Before `paid` goes: a row marked paid whose status still says pending becomes
paid, so `status` alone keeps every order's meaning. Backwards, `paid` is set from
the status (the column is put back empty by reversing 0004)."""

from django.db import migrations


def status_from_paid(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Order.objects.filter(paid=True, status="pending").update(status="paid")


def paid_from_status(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Order.objects.filter(status="paid").update(paid=True)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(status_from_paid, paid_from_status, elidable=True),
    ]
