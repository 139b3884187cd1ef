from django.contrib import admin

from .models import ChurnRate, Consent, Customer, CustomerScore, Feedback, MessageRule, MessageSend


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ["channel", "wording", "source", "given_at", "withdrawn_at", "withdrawn_via"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["id", "store", "membership_code", "source", "created_at"]
    list_filter = ["store", "source"]
    search_fields = ["=membership_code", "=phone"]
    inlines = [ConsentInline]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["id", "store", "rating", "tags", "is_complaint", "source", "occurred_at"]
    list_filter = ["store", "is_complaint", "source"]
    readonly_fields = ["facts"]


admin.site.register(CustomerScore)
admin.site.register(ChurnRate)


@admin.register(MessageRule)
class MessageRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "trigger", "channel", "holdout_share", "cap_per_30_days", "is_active"]
    list_filter = ["store", "trigger", "is_active"]


@admin.register(MessageSend)
class MessageSendAdmin(admin.ModelAdmin):
    list_display = ["id", "rule", "customer", "trigger_key", "status", "at"]
    list_filter = ["rule", "status"]
    readonly_fields = [f.name for f in MessageSend._meta.fields]
