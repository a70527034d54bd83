from django.db import migrations, models


def mark_past_mails_done(apps, schema_editor):
    """Orders shipped or canceled before these mails existed are not mailed now
    (the sweep would otherwise send every old cancellation)."""
    Order = apps.get_model("orders", "Order")
    Order.objects.filter(status="canceled").update(
        canceled_mail_sent_at=models.F("updated")
    )
    Order.objects.filter(status__in=("fulfilled", "delivered", "refunded")).update(
        shipped_mail_sent_at=models.F("updated")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0008_order_lifecycle_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="canceled_mail_claimed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="order",
            name="canceled_mail_sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="order",
            name="shipped_mail_claimed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="order",
            name="shipped_mail_sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_past_mails_done, migrations.RunPython.noop),
    ]
