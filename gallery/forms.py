from django import forms

from . import fetcher


class BookmarkCreateForm(forms.Form):
    """Title and description for an image the bookmarklet picked on another site."""

    url = forms.CharField(
        label="Image address",
        max_length=2000,
        help_text="The address of the image (filled in by the bookmarklet).",
    )
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        try:
            fetcher.parse_url(url)  # scheme and shape now; the network check on save
        except fetcher.FetchError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return url
