from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from restaurant_ops.admin import ReadOnlyAdmin

from . import services
from .models import PrepTask, Station, Ticket, TicketLine


class StationForm(forms.ModelForm):
    class Meta:
        model = Station
        fields = "__all__"  # noqa: DJ007 - the admin lists the fields it shows

    def clean_is_default(self):
        already = bool(self.instance.pk) and self.instance.is_default
        self.make_default = self.cleaned_data["is_default"] and not already
        if already and not self.cleaned_data["is_default"]:
            raise forms.ValidationError(_("Make another station the default instead."))
        # A new default is set by `station_make_default` after saving, which moves it from the old one.
        return already


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    """One default station per store: ticking it here moves the default, as the service does."""

    form = StationForm
    list_display = ["name", "store", "is_default", "position"]
    list_filter = ["store"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.make_default:
            services.station_make_default(station=obj)


class TicketLineInline(admin.TabularInline):
    model = TicketLine
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    """Tickets follow their orders (kitchen services); the display moves them along."""

    list_display = ["__str__", "store", "status", "queued_at", "started_at", "ready_at"]
    list_filter = ["store", "station", "status"]
    inlines = [TicketLineInline]


@admin.register(PrepTask)
class PrepTaskAdmin(admin.ModelAdmin):
    list_display = ["menu_item", "store", "quantity", "ready_by", "done", "source"]
    list_filter = ["store", "done", "source"]
