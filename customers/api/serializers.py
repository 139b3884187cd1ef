"""Customers API shapes. PII (phone, e-mail, name, birthday, feedback text) is written out only for
callers whose role may see it (owner, manager); others get the last four digits of the phone."""

from rest_framework import serializers

from customers.models import ChurnRate, Consent, Customer, CustomerScore, Feedback
from customers.selectors import mask_phone
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
