"""Forms for the kitchen's set-up page."""

from django import forms
from django.utils.translation import gettext_lazy as _


class StationForm(forms.Form):
    name = forms.CharField(label=_("Station name"), max_length=60, help_text=_("Such as Grill, Wok or Bar."))
    is_default = forms.BooleanField(
        label=_("Default station: items not routed elsewhere go here"), required=False
    )
