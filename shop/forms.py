from django import forms

from .cart import MAX_QUANTITY


class CartAddProductForm(forms.Form):
    """Quantity 1–20; `override` replaces the cart's quantity instead of adding."""

    quantity = forms.IntegerField(
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        error_messages={
            "invalid": "Enter a whole number of items.",
            "min_value": "The quantity must be at least 1.",
            "max_value": f"You can order at most {MAX_QUANTITY} of one product.",
        },
    )
    override = forms.BooleanField(
        required=False, initial=False, widget=forms.HiddenInput
    )
