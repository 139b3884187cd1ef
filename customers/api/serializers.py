"""Customers API shapes. PII (phone, e-mail, name, birthday, feedback text) is written out only for
callers whose role may see it (owner, manager); others get the last four digits of the phone."""

import datetime as dt
from decimal import Decimal

from rest_framework import serializers

from customers.models import ChurnRate, Consent, Customer, CustomerScore, Feedback, MessageRule, MessageSend
from customers.selectors import mask_email, mask_phone
from customers.services import RULE_FIELDS
from restaurant_ops.api import fields as bounded
from restaurant_ops.api.serializers import InputSerializer


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomerScore
        fields = [
            "as_of",
            "segment",
            "visits",
            "last_visit",
            "recency_days",
            "frequency",
            "monetary",
            "median_gap_days",
            "churn_risk",
            "value_at_risk",
        ]


class ConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["channel", "wording", "source", "given_at", "withdrawn_at", "withdrawn_via"]


PII_FIELDS = ("phone", "email", "name", "birthday")


class CustomerSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    phone = serializers.CharField(
        read_only=True, help_text="E.164; only the last 4 digits without PII access"
    )
    score = ScoreSerializer(read_only=True, allow_null=True)
    consents = ConsentSerializer(many=True, read_only=True)
    pii = serializers.SerializerMethodField(help_text="Whether personal data is shown in full")

    class Meta:
        model = Customer
        fields = [
            "id",
            "store",
            "membership_code",
            "phone",
            "email",
            "name",
            "birthday",
            "language",
            "source",
            "created_at",
            "updated_at",
            "score",
            "consents",
            "pii",
        ]

    def get_pii(self, obj) -> bool:
        return obj.store_id in self.context.get("pii_stores", set())

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if not self.get_pii(obj):
            data["phone"] = mask_phone(obj.phone)
            for field in ("email", "name", "birthday"):
                data[field] = None
        else:
            data["phone"] = str(obj.phone or "")
        return data


class JoinInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False, help_text="Store slug; defaults to the API key's store.")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    code = serializers.CharField(required=False, allow_blank=True, max_length=12, help_text="Membership code")
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    birthday = serializers.DateField(required=False, allow_null=True, default=None)
    language = serializers.ChoiceField(choices=["en", "zh-hans"], default="en")
    check = serializers.IntegerField(required=False, allow_null=True, help_text="A check to link")
    marketing_sms = serializers.BooleanField(default=False, help_text="The guest ticked SMS marketing")
    marketing_email = serializers.BooleanField(default=False, help_text="The guest ticked e-mail marketing")
    wording = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text="The exact consent sentence the guest saw (defaults to ours)",
    )

    def validate(self, data):
        if not data.get("phone") and not data.get("code"):
            raise serializers.ValidationError({"phone": "Give a phone number or a membership code."})
        return data


class WithdrawInputSerializer(InputSerializer):
    channel = serializers.ChoiceField(choices=Consent.Channel.choices, required=False, allow_null=True)


class FeedbackSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    check = serializers.IntegerField(source="guest_check_id", read_only=True, allow_null=True)
    customer = serializers.IntegerField(source="customer_id", read_only=True, allow_null=True)
    text = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The guest's words; null for a caller who may not read them.",
    )

    class Meta:
        model = Feedback
        fields = [
            "id",
            "store",
            "check",
            "customer",
            "rating",
            "tags",
            "menu_item",
            "text",
            "source",
            "is_complaint",
            "occurred_at",
            "business_date",
            "facts",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if obj.store_id not in self.context.get("pii_stores", set()):
            data["text"] = None
        return data


class ComplaintInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False)
    check = serializers.IntegerField(required=False, allow_null=True)
    rating = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    tags = serializers.ListField(
        child=serializers.ChoiceField(choices=Feedback.Tag.choices), default=list, max_length=7
    )
    menu_item = serializers.IntegerField(required=False, allow_null=True)
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    occurred_at = bounded.DateTimeField(required=False, allow_null=True)


class ChurnRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChurnRate
        fields = ["month", "base", "churned", "rate", "computed_at"]


class ChurnReportSerializer(serializers.Serializer):
    months = ChurnRateSerializer(many=True)
    warning = serializers.DictField(child=serializers.CharField(), allow_null=True)


# --- Triggered messages -----------------------------------------------------------------------------


class MessageRuleSerializer(serializers.ModelSerializer):
    """A rule with its text per language (`templates`; `{name}` and `{code}` are filled in) and its
    coupon settings. No PII."""

    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = MessageRule
        fields = ["id", "store", *RULE_FIELDS, "created_at"]  # what message_rule_save writes


LANGUAGE_CODES = ["en", "zh-hans"]


class MessageRuleInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False, help_text="Store slug; defaults to your only store.")
    name = serializers.CharField(max_length=80)
    trigger = serializers.ChoiceField(choices=MessageRule.Trigger.choices)
    channel = serializers.ChoiceField(choices=Consent.Channel.choices, default="sms")
    templates = serializers.DictField(
        child=serializers.CharField(max_length=1000, allow_blank=True),
        help_text='Text per language, e.g. {"en": "We miss you, {name}! {code}", "zh-hans": "..."}',
    )
    subjects = serializers.DictField(
        child=serializers.CharField(max_length=150, allow_blank=True),
        required=False,
        default=dict,
        help_text="E-mail subject per language (the rule's name if none)",
    )
    holdout_share = serializers.DecimalField(
        max_digits=4,
        decimal_places=3,
        min_value=Decimal("0"),
        max_value=Decimal("0.5"),
        default=Decimal("0.100"),
    )
    quiet_from = serializers.TimeField(default=dt.time(21, 0))
    quiet_until = serializers.TimeField(default=dt.time(9, 0))
    cap_per_30_days = serializers.IntegerField(min_value=1, max_value=30, default=2)
    coupon_kind = serializers.ChoiceField(choices=["", "percent", "amount", "comp_item"], default="")
    coupon_value = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        default=None,
    )
    coupon_item = bounded.IdField(required=False, allow_null=True, default=None, help_text="Menu item id")
    coupon_valid_days = serializers.IntegerField(min_value=1, max_value=365, default=30)
    is_active = serializers.BooleanField(default=True)

    def validate_templates(self, value):
        unknown = sorted(set(value) - set(LANGUAGE_CODES))
        if unknown:
            raise serializers.ValidationError(
                f"Languages are {LANGUAGE_CODES}, not {unknown}.", code="invalid"
            )
        return value

    validate_subjects = validate_templates


class MessageSendSerializer(serializers.ModelSerializer):
    """One line of the delivery log. Without PII access the address is masked and the text left out
    (it carries the guest's name)."""

    to = serializers.SerializerMethodField(help_text="Phone or e-mail; masked without PII access")
    coupon = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = MessageSend
        fields = [
            "id",
            "rule",
            "customer",
            "trigger_key",
            "status",
            "channel",
            "to",
            "body",
            "coupon",
            "provider_id",
            "error",
            "at",
        ]

    def _pii(self, obj) -> bool:
        return obj.rule.store_id in self.context.get("pii_stores", set())

    def get_to(self, obj) -> str:
        customer = obj.customer
        if obj.channel == Consent.Channel.EMAIL:
            return customer.email if self._pii(obj) else mask_email(customer.email)
        return str(customer.phone or "") if self._pii(obj) else mask_phone(customer.phone)

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if not self._pii(obj):
            data["body"] = None
        return data


class CouponSerializer(serializers.ModelSerializer):
    """A coupon a rule sent: its discount code and whether it was redeemed."""

    code = serializers.CharField(source="coupon.code")
    kind = serializers.CharField(source="coupon.kind")
    value = serializers.DecimalField(source="coupon.value", max_digits=12, decimal_places=2, allow_null=True)
    menu_item = serializers.IntegerField(source="coupon.menu_item_id", allow_null=True)
    valid_from = serializers.DateTimeField(source="coupon.valid_from")
    valid_until = serializers.DateTimeField(source="coupon.valid_until", allow_null=True)
    max_uses = serializers.IntegerField(source="coupon.max_uses")
    redeemed_count = serializers.IntegerField(source="coupon.redeemed_count")
    sent_at = serializers.DateTimeField(source="at")

    class Meta:
        model = MessageSend
        fields = [
            "id",
            "rule",
            "customer",
            "code",
            "kind",
            "value",
            "menu_item",
            "valid_from",
            "valid_until",
            "max_uses",
            "redeemed_count",
            "sent_at",
        ]


class ShareSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    of = serializers.IntegerField()
    enough = serializers.BooleanField()
    rate = serializers.FloatField(required=False)
    low = serializers.FloatField(required=False)
    high = serializers.FloatField(required=False)


class RuleResultsSerializer(serializers.Serializer):
    enough = serializers.BooleanField(help_text="False: fewer than 30 customers in an arm (too few to tell)")
    messaged = serializers.ListField(child=serializers.IntegerField(), help_text="[came back, customers]")
    held_out = serializers.ListField(child=serializers.IntegerField(), help_text="[came back, customers]")
    difference = serializers.FloatField(required=False)
    low = serializers.FloatField(required=False, help_text="Newcombe 95% interval of the difference")
    high = serializers.FloatField(required=False)
    redemption = ShareSerializer()
