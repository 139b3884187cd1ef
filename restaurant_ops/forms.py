"""Forms for the pages of restaurant_ops: they parse and check what a person typed; services write."""

import datetime as dt
import zoneinfo
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.utils.translation import gettext_lazy as _

from . import bounds
from .api.errors import status_for
from .errors import DomainError, DomainErrors, error_list
from .models import Store, Weekday

# Canonical Area/City zones only: the legacy aliases (PRC, Japan, US/Eastern, Etc/GMT+8...) name the same
# clocks again, some of them backwards.
LEGACY_ZONE_AREAS = ("Etc/", "SystemV/", "US/", "Brazil/", "Canada/", "Chile/", "Mexico/")
TIME_ZONES = sorted(
    z
    for z in zoneinfo.available_timezones()
    if z == "UTC" or ("/" in z and not z.startswith(LEGACY_ZONE_AREAS))
)


class SignUpForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=8)
    password_again = forms.CharField(label=_("Password again"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class JoinForm(SignUpForm):
    pin = forms.RegexField(
        label=_("Approval PIN"),
        regex=r"^\d{6,8}$",
        required=False,
        help_text=_("6 to 8 digits you type on a cashier's screen to approve a void or a refund."),
        error_messages={"invalid": _("6 to 8 digits.")},
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class StoreForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=[(z, z) for z in TIME_ZONES])

    class Meta:
        model = Store
        fields = ["name", "time_zone", "currency", "prices_include_tax", "service_charge_rate"]
        help_texts = {
            "currency": _("Three letters, such as USD, EUR or CNY."),
            "prices_include_tax": _(
                "Tick if menu prices already include tax (as in most of Europe and China)."
            ),
            "service_charge_rate": _("0.10 for 10%; 0 for none."),
        }


class TaxForm(forms.Form):
    name = forms.CharField(label=_("Tax name"), max_length=60, help_text=_("Such as Food or Drinks."))
    percent = forms.DecimalField(
        label=_("Rate (%)"), min_value=0, max_value=100, max_digits=6, decimal_places=2
    )


class HoursForm(forms.Form):
    """One weekday: opening and closing time, or closed."""

    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, widget=forms.HiddenInput)
    closed = forms.BooleanField(label=_("Closed"), required=False)
    opens = forms.TimeField(label=_("Opens"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    closes = forms.TimeField(
        label=_("Closes"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def clean(self):
        data = super().clean()
        if not data.get("closed") and (data.get("opens") is None or data.get("closes") is None):
            self.add_error("opens", _("Give opening and closing times, or tick Closed."))
        return data


HoursFormSet = forms.formset_factory(HoursForm, extra=0, min_num=7, max_num=7, validate_min=True)

DEFAULT_HOURS = (dt.time(10, 0), dt.time(22, 0))


def add_errors(form, error: DomainError | DomainErrors) -> None:
    """A service's refusal shown on the form, on the field it names when the form has one."""
    for e in error.errors if isinstance(error, DomainErrors) else [error]:
        form.add_error(e.field if e.field in form.fields else None, e.message)


class PinForm(forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput)
    pin = forms.RegexField(
        label=_("New approval PIN"),
        regex=r"^\d{6,8}$",
        help_text=_("6 to 8 digits you type on a cashier's screen to approve a void or a refund."),
        error_messages={"invalid": _("6 to 8 digits.")},
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    pin_again = forms.CharField(
        label=_("The PIN again"),
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("pin") and data.get("pin") != data.get("pin_again"):
            self.add_error("pin_again", _("The two PINs differ."))
        return data


# --- Raw form strings into typed values, and refusals into messages with the table's status ---


def form_id(data, name: str) -> int | None:
    """An id chosen in a form: None when left empty; a word or an absurd number is refused."""
    raw = (data.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= bounds.MAX_ID:
        raise DomainError(name, "invalid", _("Choose from the list."))
    return int(raw)


def form_int(data, name: str, *, default: int | None = None, maximum: int = 10_000) -> int | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        return default
    if not raw.lstrip("-").isdigit() or abs(int(raw)) > maximum:
        raise DomainError(name, "invalid", _("Enter a whole number."))
    return int(raw)


def form_decimal(
    data, name: str, *, places: int = 2, maximum: Decimal = Decimal("10000000"), required: bool = False
) -> Decimal | None:
    """A number typed into a form (an amount, a quantity): None when left empty (refused when `required`).
    Its magnitude is checked before anything else touches it (`1e30` has more digits than a decimal
    context holds). This is where a page's strings become Decimals: services take only Decimals."""
    raw = str(data.get(name) or "").strip()
    if not raw:
        if required:
            raise DomainError(name, "required", _("Give a number."))
        return None
    try:
        number = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise DomainError(name, "invalid", _("Enter a number such as 12.50."))
    if not number.is_finite() or abs(number) >= maximum:
        raise DomainError(name, "invalid", _("Enter a number such as 12.50."))
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise DomainError(name, "invalid", _("Use at most %(n)d decimal places.") % {"n": places})
    return number


def flash_errors(request, error: DomainError | DomainErrors) -> int:
    """Shows each error as a message (tagged with its field, so the page can point at it) and returns the
    status the error table gives it."""
    for item in error_list(error):
        messages.error(request, item.message, extra_tags=f"field-{item.field}" if item.field else "")
    return status_for(error)
