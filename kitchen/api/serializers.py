from rest_framework import serializers

from kitchen.models import PrepTask, Station, Ticket, TicketLine
from restaurant_ops.api import fields as bounded
from restaurant_ops.api.serializers import InputSerializer


class StationSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Station
        fields = ["id", "store", "name", "position", "is_default", "updated_at"]


class TicketLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketLine
        fields = ["order_line", "name", "quantity", "modifiers", "note"]


class TicketSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True)
    lines = TicketLineSerializer(many=True, read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "store",
            "order",
            "station",
            "station_name",
            "status",
            "queued_at",
            "started_at",
            "ready_at",
            "withdrawn_at",
            "updated_at",
            "lines",
        ]


class PrepTaskSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    menu_item_name = serializers.CharField(source="menu_item.name", read_only=True)

    class Meta:
        model = PrepTask
        fields = [
            "id",
            "store",
            "menu_item",
            "menu_item_name",
            "quantity",
            "ready_by",
            "done",
            "done_at",
            "source",
            "note",
            "created_at",
            "updated_at",
        ]


class PrepTaskInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False, help_text="Store slug; defaults to the API key's store.")
    menu_item = serializers.IntegerField()
    quantity = serializers.DecimalField(max_digits=8, decimal_places=1)
    ready_by = bounded.DateTimeField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PrepDoneInputSerializer(InputSerializer):
    done = serializers.BooleanField(default=True)
