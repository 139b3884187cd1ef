"""Forms for the staff page of the set-up."""

from django import forms
from django.utils.translation import gettext_lazy as _

from restaurant_ops.models import Role


class InviteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        initial=Role.CASHIER,
        help_text=_(
            "An owner may do everything, a manager all but API keys, a cashier the till, a cook the kitchen."
        ),
    )
    hourly_cost = forms.DecimalField(
        label=_("Hourly cost"),
        min_value=0,
        max_digits=8,
        decimal_places=2,
        help_text=_("Wage plus on-costs per hour: the labour share of sales is worked out from it."),
    )


class HourlyCostForm(forms.Form):
    hourly_cost = forms.DecimalField(label=_("Hourly cost"), min_value=0, max_digits=8, decimal_places=2)
    max_weekly_hours = forms.IntegerField(
        label=_("Maximum weekly hours"),
        min_value=1,
        max_value=168,
        required=False,
        help_text=_("Suggested and open shifts never take them over this; empty for no limit."),
    )
