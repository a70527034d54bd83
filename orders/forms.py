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
