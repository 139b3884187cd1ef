from django.contrib import admin

from .models import KitchenItem, PrepTask, Station, Ticket, TicketLine


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "is_default", "position"]
    list_filter = ["store"]


@admin.register(KitchenItem)
class KitchenItemAdmin(admin.ModelAdmin):
    list_display = ["menu_item", "station", "prep_ahead"]


class TicketLineInline(admin.TabularInline):
    model = TicketLine
    extra = 0


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["__str__", "store", "status", "queued_at", "started_at", "ready_at"]
    list_filter = ["store", "station", "status"]
    inlines = [TicketLineInline]


@admin.register(PrepTask)
class PrepTaskAdmin(admin.ModelAdmin):
    list_display = ["menu_item", "store", "quantity", "ready_by", "done", "source"]
    list_filter = ["store", "done", "source"]
