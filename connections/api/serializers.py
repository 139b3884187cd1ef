from rest_framework import serializers

from connections.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from connections.webhooks import TOPICS
from restaurant_ops.api.serializers import InputSerializer


class EndpointSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    secret = serializers.SerializerMethodField(help_text="The signing secret (whsec_...).")

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "store", "url", "description", "topics", "is_active", "disabled_reason", "secret"]

    def get_secret(self, endpoint) -> str:
        return endpoint.secret


class EndpointInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False, help_text="Store slug; defaults to the API key's store.")
    url = serializers.URLField(max_length=500)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    topics = serializers.ListField(
        child=serializers.ChoiceField(choices=TOPICS), required=False, default=list, max_length=len(TOPICS)
    )


class EndpointUpdateSerializer(InputSerializer):
    url = serializers.URLField(max_length=500, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)
    topics = serializers.ListField(
        child=serializers.ChoiceField(choices=TOPICS), required=False, max_length=len(TOPICS)
    )
    is_active = serializers.BooleanField(required=False)


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["at", "status_code", "error", "duration_ms"]


class DeliverySerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(source="message_id", read_only=True)
    topic = serializers.CharField(source="event.topic", read_only=True)
    log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook_id",
            "endpoint",
            "topic",
            "subject",
            "state",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "delivered_at",
            "log",
        ]
