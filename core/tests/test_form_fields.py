"""One form-field include for every public form: labels, help and errors tied to
their inputs for assistive technology."""

import re

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string

INCLUDE = "core/includes/form_fields.html"


class SampleForm(forms.Form):
    name = forms.CharField(help_text="As printed on your card.")
    email = forms.EmailField()
    website = forms.CharField(required=False, label="Leave this field empty")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("Something is wrong with the form.")


def described_by(html: str, field_id: str) -> list[str]:
    tag = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html).group(0)
    return re.search(r'aria-describedby="([^"]*)"', tag).group(1).split()


def test_help_and_errors_are_tied_to_their_input():
    form = SampleForm(data={"name": "", "email": "not-an-address"})
    html = render_to_string(INCLUDE, {"form": form, "honeypot": "website"})
    assert '<label for="id_name">' in html
    assert described_by(html, "id_name") == ["id_name_helptext", "id_name_error"]
    assert 'id="id_name_helptext"' in html and 'id="id_name_error"' in html
    assert described_by(html, "id_email") == ["id_email_error"]
    assert 'aria-invalid="true"' in html
    alert = re.search(r'<div role="alert">(.*?)</div>', html, re.DOTALL).group(1)
    assert "Something is wrong with the form." in alert
    assert '<input type="hidden" name="token"' in html


def test_the_honeypot_is_off_screen_and_hidden_from_assistive_technology():
    html = render_to_string(INCLUDE, {"form": SampleForm(), "honeypot": "website"})
    honeypot = re.search(r'<div class="honeypot" aria-hidden="true">.*?</div>', html)
    assert 'name="website"' in honeypot.group(0)
    plain = render_to_string(INCLUDE, {"form": SampleForm()})
    assert "honeypot" not in plain and 'name="website"' in plain


@pytest.mark.django_db
def test_public_form_pages_render_errors_through_the_include(client):
    html = client.post("/account/register/", {"username": ""}).content.decode()
    assert described_by(html, "id_username") == [
        "id_username_helptext",
        "id_username_error",
    ]
    member = get_user_model().objects.create_user("ann", password="x-12345!")
    client.force_login(member)
    data = {"url": "https://example.com/a.jpg"}
    html = client.post("/gallery/create/", data).content.decode()
    assert described_by(html, "id_title") == ["id_title_error"]
    assert html.count("This field is required.") == 1
