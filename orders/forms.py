from django import forms

from .models import Order


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
