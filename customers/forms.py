"""Page forms: parsing and validation of what a guest or staff member typed (services get typed values)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Feedback


class JoinForm(forms.Form):
    phone = forms.CharField(label=_("Phone number"), max_length=32, required=False)
    code = forms.CharField(label=_("or membership code"), max_length=12, required=False)
    name = forms.CharField(label=_("Name (optional)"), max_length=120, required=False)
    marketing_sms = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("code"):
            raise forms.ValidationError(_("Give a phone number or a membership code."))
        return data


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    tags = forms.MultipleChoiceField(
        label=_("What went wrong?"),
        choices=Feedback.Tag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    menu_item = forms.IntegerField(label=_("Which dish?"), required=False)
    text = forms.CharField(
        label=_("Anything else?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    occurred_at = forms.DateTimeField(label=_("When (for a complaint by phone)"), required=False)
