from django import forms

from .models import CODE_MAX_LENGTH, code_validator


class CouponApplyForm(forms.Form):
    """The code typed in the cart. Checked for shape before any lookup, so odd input
    (too long, spaces, symbols, NUL bytes) gets a message and never reaches SQL."""

    code = forms.CharField(
        label="Coupon code",
        max_length=CODE_MAX_LENGTH,
        validators=[code_validator],
        error_messages={
            "required": "Enter a coupon code.",
            "max_length": "That is not a coupon code (too long).",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].upper()
