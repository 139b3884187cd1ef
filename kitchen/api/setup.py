"""Setting up the kitchen through the API: stations and which station makes each item (and whether it
is prepared ahead). The same services as the stations page; reads for the kitchen's roles, writes for
owners and managers (the edit-menu permission) or a write key."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from kitchen import services
from kitchen.models import Station
from orders.models import MenuItem
from restaurant_ops.api import filters as bounded
from restaurant_ops.api.fields import IdField
from restaurant_ops.api.idempotency import idempotent
from restaurant_ops.api.scoping import accessible_stores, require, resolve_store
from restaurant_ops.api.serializers import InputSerializer
from restaurant_ops.errors import DomainError
from restaurant_ops.permissions import Perm

from .serializers import StationSerializer
from .views import StationListView as StationListReadView


class StationSetupSerializer(StationSerializer):
    class Meta(StationSerializer.Meta):
        fields = [*StationSerializer.Meta.fields, "ticket_target_minutes"]


class StationInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False, help_text="Store slug (an account key names it).")
    name = serializers.CharField(max_length=60)
    position = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    is_default = serializers.BooleanField(
        required=False, help_text="Items without a route go here; making one the default unmakes the other."
    )
    ticket_target_minutes = serializers.IntegerField(min_value=1, max_value=240, required=False)


def _stations(request):
    return Station.objects.filter(store__in=accessible_stores(request)).select_related("store")


class StationListView(StationListReadView):
    """Kitchen stations (filter `store`, `updated_since`). POST adds one."""

    serializer_class = StationSetupSerializer

    @extend_schema(request=StationInputSerializer, responses={201: StationSetupSerializer})
    @idempotent
    def post(self, request):
        data = StationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = dict(data.validated_data)
        store = resolve_store(request, payload.pop("store", None))
        require(request, store, Perm.EDIT_MENU)
        target = payload.pop("ticket_target_minutes", None)
        if "position" not in payload:
            payload["position"] = Station.objects.filter(store=store).count()
        station = services.station_create(store=store, **payload)
        if target is not None:
            station = services.station_update(station=station, ticket_target_minutes=target)
        return Response(StationSetupSerializer(station).data, status=status.HTTP_201_CREATED)


class StationDetailView(generics.RetrieveAPIView):
    """PATCH renames, moves, sets the ticket-time target or makes the station the default. DELETE only a
    station that never had a ticket (409 `in_use` otherwise); its items go to the default station."""

    read_perm = Perm.WORK_KITCHEN

    serializer_class = StationSetupSerializer

    def get_queryset(self):
        return _stations(self.request)

    @extend_schema(request=StationInputSerializer, responses={200: StationSetupSerializer})
    def patch(self, request, pk: int):
        station = self.get_object()
        data = StationInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        payload = dict(data.validated_data)
        payload.pop("store", None)
        require(request, station.store, Perm.EDIT_MENU)
        station = services.station_update(station=station, **payload)
        return Response(StationSetupSerializer(station).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        station = self.get_object()
        require(request, station.store, Perm.EDIT_MENU)
        services.station_delete(station=station)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- routing: which station makes an item, and whether it is prepared ahead --------------------------


class RouteSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="pk", read_only=True)
    item_external_id = serializers.CharField(source="external_id", read_only=True)
    station = serializers.SerializerMethodField()
    prep_ahead = serializers.SerializerMethodField()
    updated_at = serializers.SerializerMethodField()

    class Meta:
        model = MenuItem
        fields = ["item", "item_external_id", "name", "station", "prep_ahead", "updated_at"]

    def _kitchen(self, item):
        return getattr(item, "kitchen", None)

    def get_station(self, item) -> int | None:
        """The station that makes it; null: the store's default station."""
        kitchen = self._kitchen(item)
        return kitchen.station_id if kitchen is not None else None

    def get_prep_ahead(self, item) -> bool:
        kitchen = self._kitchen(item)
        return bool(kitchen and kitchen.prep_ahead)

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_updated_at(self, item):
        """When its routing last changed (null: never set, so the default station)."""
        kitchen = self._kitchen(item)
        return serializers.DateTimeField().to_representation(kitchen.updated_at) if kitchen else None


class RouteInputSerializer(InputSerializer):
    station = IdField(required=False, allow_null=True, help_text="null: the store's default station")
    prep_ahead = serializers.BooleanField(required=False, help_text="On the prep list before service.")


class RouteFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    updated_since = bounded.IsoDateTimeFilter(field_name="kitchen__updated_at", lookup_expr="gte")
    station = bounded.IdFilter(field_name="kitchen__station_id")
    prep_ahead = django_filters.BooleanFilter(field_name="kitchen__prep_ahead")

    class Meta:
        model = MenuItem
        fields = ["store", "external_id"]


def _items(request):
    return MenuItem.objects.filter(store__in=accessible_stores(request)).select_related("store", "kitchen")


class RouteListView(generics.ListAPIView):
    """Every menu item with its station (null: the default station) and prep-ahead flag. Filter
    `station`, `prep_ahead`, `external_id`, `updated_since` (when its routing last changed)."""

    read_perm = Perm.WORK_KITCHEN

    serializer_class = RouteSerializer
    filterset_class = RouteFilter

    def get_queryset(self):
        return _items(self.request)


class RouteDetailView(generics.RetrieveAPIView):
    """One item's routing, by the menu item's id. PATCH routes it (`station`, null for the default)
    and/or flags it prepared ahead; what is not sent stays."""

    read_perm = Perm.WORK_KITCHEN

    serializer_class = RouteSerializer

    def get_queryset(self):
        return _items(self.request)

    @extend_schema(request=RouteInputSerializer, responses={200: RouteSerializer})
    def patch(self, request, pk: int):
        item = self.get_object()
        data = RouteInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        require(request, item.store, Perm.EDIT_MENU)
        station = services.KEEP
        if "station" in payload:
            station = None
            if payload["station"] is not None:
                station = Station.objects.filter(store=item.store, pk=payload["station"]).first()
                if station is None:
                    raise DomainError("station", "unknown_station", _("No such station in this store."))
        services.kitchen_item_set(menu_item=item, station=station, prep_ahead=payload.get("prep_ahead"))
        return Response(RouteSerializer(self.get_queryset().get(pk=pk)).data)
