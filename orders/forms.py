from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator

from .models import Order, OrderEvent


class OrderCreateForm(forms.ModelForm):
    # Generated when the form is shown; a second submit of the same form finds the
    # order the first one placed.
    token = forms.UUIDField(widget=forms.HiddenInput)

    class Meta:
        model = Order
        fields = ["first_name", "last_name", "email", "address", "postal_code", "city"]
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }

    def customer(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ShipmentForm(forms.Form):
    """What staff type to mark an order shipped (the "Mark shipped" action)."""

    carrier = forms.CharField(
        max_length=Order._meta.get_field("carrier").max_length,
        help_text="E.g. DHL, UPS: known carriers get a tracking link in the mail.",
        widget=forms.TextInput(attrs={"list": "order-carriers", "autocomplete": "off"}),
    )
    tracking_number = forms.CharField(
        max_length=Order._meta.get_field("tracking_number").max_length,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9 \-]*$",
                "Use letters, digits, spaces and hyphens only.",
            )
        ],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class OrderNoteForm(forms.Form):
    """A staff note on the order's timeline."""

    message = forms.CharField(
        label="Note",
        max_length=OrderEvent._meta.get_field("message").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RefundForm(forms.Form):
    """Staff's refund of a paid order: a quantity per line (empty: not that line)
    and/or an amount (empty: the lines' cost as paid, or everything left), and
    whether the units go back in stock. Checked here for a clear message; the
    service checks again under the order's lock."""

    amount = forms.DecimalField(
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text="Leave empty to refund the chosen units as paid (with the "
        "coupon's share taken off), or everything left if no units are chosen.",
    )
    restock = forms.BooleanField(
        required=False,
        label="Put the refunded units back in stock",
        help_text="Done once Stripe confirms the refund.",
    )
    reason = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, items, refunded, left, currency, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.left = left
        self.fields["amount"].label = f"Amount ({currency}, at most {left})"
        self.quantity_fields = []
        for item in items:
            remaining = item.quantity - refunded[item.id]
            name = f"quantity_{item.id}"
            self.fields[name] = forms.IntegerField(
                required=False,
                min_value=1,
                max_value=max(remaining, 0),
                label=f"{item.product_name} ({item.price} × {item.quantity}; "
                f"{remaining} left to refund)",
                widget=forms.NumberInput(attrs={"min": 1, "max": max(remaining, 0)}),
                disabled=remaining <= 0,
            )
            self.quantity_fields.append(self[name])
        order = ["amount", "restock", "reason"]
        self.order_fields([f"quantity_{item.id}" for item in items] + order)

    def lines(self) -> list[tuple[int, int]]:
        return [
            (item.id, self.cleaned_data[f"quantity_{item.id}"])
            for item in self.items
            if self.cleaned_data.get(f"quantity_{item.id}")
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        amount = cleaned.get("amount")
        if amount is not None and amount > self.left:
            self.add_error(
                "amount", f"At most {self.left} is left to refund on this order."
            )
        if not self.lines() and amount is None:
            raise forms.ValidationError("Choose units to refund, or an amount.")
        if cleaned.get("restock") and not self.lines():
            self.add_error("restock", "Restocking needs the units that come back.")
        return cleaned
