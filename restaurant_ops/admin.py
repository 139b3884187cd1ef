from django.contrib import admin

from .models import ApiKey, AuditEntry, ClosedDate, Daypart, Membership, OpeningHours, Store, TaxCategory


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that change only through their services (with the audit trail): money, the stock
    ledger, receipts, the audit trail itself. Shown, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class DaypartInline(admin.TabularInline):
    model = Daypart
    extra = 0


class TaxCategoryInline(admin.TabularInline):
    model = TaxCategory
    extra = 0


class ClosedDateInline(admin.TabularInline):
    model = ClosedDate
    extra = 0


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "currency", "prices_include_tax"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline, DaypartInline, TaxCategoryInline, ClosedDateInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "store", "role"]
    list_filter = ["store", "role"]
    exclude = ["pin_hash"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "prefix", "scope", "created_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # keys are created on the store's API-keys page, which shows the secret once


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "store", "action", "actor", "approved_by", "reason"]
    list_filter = ["store", "action"]
