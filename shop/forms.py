from django import forms
from django.db import transaction
from wagtail.admin.forms import WagtailAdminModelForm

from .cart import MAX_QUANTITY
from .models import Product
from .services import product_stock_adjust


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


class StockMoved(Exception):
    """The stock changed while the product form was open, and the change typed in
    would take it below zero; nothing was saved."""

    def __init__(self, stock: int):
        super().__init__(f"The stock is now {stock}.")
        self.stock = stock


class ProductAdminForm(WagtailAdminModelForm):
    """The staff product editor (wagtail-modeladmin). Stock typed in is applied as
    a change to the stock the form was loaded with (kept in the hidden
    `stock_loaded`): loaded 10, typed 12, three sold meanwhile → 9 saved, not 12.
    Writing the number back would undo every reservation and release made while
    the form was open. A change that would go below zero is refused
    (`StockMoved`), and the form shows the stock as it is now."""

    stock_loaded = forms.IntegerField(
        required=False, min_value=0, widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["stock_loaded"].initial = self.instance.stock

    def clean(self):
        cleaned = super().clean()
        if (
            self.instance.pk
            and cleaned.get("stock") is not None
            and cleaned.get("stock_loaded") is None
        ):
            self.add_error(
                "stock",
                "Reload the page: this form lacks the stock it was loaded with.",
            )
        return cleaned

    def save(self, commit=True):
        if not self.instance.pk or not commit:
            return super().save(commit=commit)
        change = self.cleaned_data["stock"] - self.cleaned_data["stock_loaded"]
        with transaction.atomic():
            product = super().save(commit=False)
            product.save(
                update_fields=[
                    field.name
                    for field in Product._meta.concrete_fields
                    if field.name in self.fields and field.name != "stock"
                ]
                + ["updated"]
            )
            self.save_m2m()
            if change:
                stock = product_stock_adjust(product_id=product.pk, change=change)
                if stock is None:
                    raise StockMoved(
                        Product.objects.values_list("stock", flat=True).get(
                            pk=product.pk
                        )
                    )
            product.refresh_from_db(fields=["stock"])
        return product

    def show_stock_moved(self, *, stock: int) -> None:
        """Refuse the save with a message, showing the current stock to start from."""
        loaded = self.cleaned_data.get("stock_loaded")
        typed = self.cleaned_data.get("stock")
        self.data = self.data.copy()
        self.data["stock"] = self.data["stock_loaded"] = str(stock)
        self.add_error(
            "stock",
            f"The stock changed while you were editing: it is {stock} now, not "
            f"{loaded}. Changing it by {typed - loaded} would go below zero, so "
            "nothing was saved. Enter the stock again, starting from the current "
            "value shown.",
        )
