"""Forms for the set-up pages of the menu and tables: they parse what a person typed; services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from restaurant_ops.models import TaxCategory


class TablesForm(forms.Form):
    count = forms.IntegerField(label=_("How many tables to add"), min_value=1, max_value=200, initial=10)
    seats = forms.IntegerField(label=_("Seats per table"), min_value=1, max_value=100, initial=4)


class TableRenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=40)


class MenuItemForm(forms.Form):
    """One menu item, typed in or read from one row of an imported CSV (column names = field names)."""

    category = forms.CharField(label=_("Category"), max_length=80, help_text=_("Such as Mains or Drinks."))
    name = forms.CharField(label=_("Name"), max_length=120)
    price = forms.DecimalField(label=_("Price"), min_value=0, max_digits=10, decimal_places=2)
    tax = forms.CharField(label=_("Tax"), max_length=60, required=False)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.taxes = {t.name.lower(): t for t in TaxCategory.objects.filter(store=store)}
        names = ", ".join(t.name for t in self.taxes.values())
        self.fields["tax"].help_text = _("One of: %(names)s. Empty: untaxed.") % {"names": names or "–"}

    def clean_tax(self):
        name = self.cleaned_data["tax"].strip().lower()
        if not name:
            # One tax rate in the store: it is what an item without a named tax means.
            return next(iter(self.taxes.values())) if len(self.taxes) == 1 else None
        if name not in self.taxes:
            raise forms.ValidationError(_("No tax named %(name)s in this store.") % {"name": name})
        return self.taxes[name]

    @staticmethod
    def service_args(data: dict) -> dict:
        return {
            "category": data["category"],
            "name": data["name"],
            "price": data["price"],
            "tax_category": data["tax"],
            "description": data["description"],
        }


MENU_CSV_COLUMNS = ["category", "name", "price", "tax", "description"]
MENU_CSV_REQUIRED = ["category", "name", "price"]
