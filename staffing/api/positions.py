"""Positions with their targets through the API (what the staffing plan needs per open hour): the
same services as the staff page; owners and managers (manage staff) or a write key."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from restaurant_ops.api import filters as bounded
from restaurant_ops.api.idempotency import idempotent
from restaurant_ops.api.scoping import accessible_stores, require, resolve_store
from restaurant_ops.api.serializers import InputSerializer
from restaurant_ops.permissions import Perm
from staffing import services
from staffing.models import Position

from .serializers import PositionSerializer
from .views import PositionListView as PositionListReadView


class PositionInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False, help_text="Store slug (an account key names it).")
    name = serializers.CharField(max_length=60)
    load_kind = serializers.ChoiceField(choices=Position.LoadKind.choices, required=False)
    productivity_target = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Load one person handles per hour (orders per cashier-hour, items per cook-hour); "
        "null: only the minimum applies.",
    )
    min_staff_per_open_hour = serializers.IntegerField(min_value=0, max_value=100, required=False)


class PositionFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Position
        fields = ["store", "load_kind"]


def _positions(request):
    return Position.objects.filter(store__in=accessible_stores(request)).select_related("store")


class PositionListView(PositionListReadView):
    """Job positions with their targets (filter `load_kind`, `updated_since`). POST adds one; a second
    position of the same name in a store is 409."""

    filterset_class = PositionFilter
    filterset_fields = None

    @extend_schema(request=PositionInputSerializer, responses={201: PositionSerializer})
    @idempotent
    def post(self, request):
        data = PositionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = dict(data.validated_data)
        store = resolve_store(request, payload.pop("store", None))
        require(request, store, Perm.MANAGE_STAFF)
        position = services.position_create(store=store, **payload)
        return Response(PositionSerializer(position).data, status=status.HTTP_201_CREATED)


class PositionDetailView(generics.RetrieveAPIView):
    """PATCH its name or targets. DELETE a position nobody was scheduled or clocked in (409 `in_use`)."""

    read_perm = Perm.MANAGE_STAFF

    serializer_class = PositionSerializer

    def get_queryset(self):
        return _positions(self.request)

    @extend_schema(request=PositionInputSerializer, responses={200: PositionSerializer})
    def patch(self, request, pk: int):
        position = self.get_object()
        data = PositionInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        payload = dict(data.validated_data)
        payload.pop("store", None)
        require(request, position.store, Perm.MANAGE_STAFF)
        return Response(PositionSerializer(services.position_update(position=position, **payload)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        position = self.get_object()
        require(request, position.store, Perm.MANAGE_STAFF)
        services.position_delete(position=position)
        return Response(status=status.HTTP_204_NO_CONTENT)
