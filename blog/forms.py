from django import forms
from django.core.exceptions import ValidationError

from .models import Comment


def single_line(value: str) -> None:
    """Header fields of a mail must be one line: a newline would let a sender
    inject headers (Bcc: …)."""
    if value and any(ch in value for ch in "\r\n\x00"):
        raise ValidationError("Use a single line without line breaks.")


def no_nul(value: str) -> None:
    if value and "\x00" in value:
        raise ValidationError("This text contains a character that is not allowed.")


class CommentForm(forms.ModelForm):
    # Bots fill every field; people never see this one (hidden by CSS and from
    # assistive technology).
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Comment
        fields = ["name", "email", "body"]
        labels = {"email": "E-mail (not published)", "body": "Comment"}
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].validators.append(single_line)
        self.fields["email"].validators.append(single_line)
        self.fields["body"].validators.append(no_nul)

    def cleaned_data_for_comment(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("name", "email", "body")}

    def is_spam(self) -> bool:
        return bool(self.data.get(self.add_prefix("website")))


class SharePostForm(forms.Form):
    name = forms.CharField(max_length=80, label="Your name", validators=[single_line])
    email = forms.EmailField(label="Your e-mail", validators=[single_line])
    to = forms.EmailField(label="Send to (e-mail)", validators=[single_line])
    comments = forms.CharField(
        required=False,
        max_length=2000,
        label="Message (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[no_nul],
    )
