"""The store and its settings through the API: stores (an owner's account key opens them), settings,
tax categories, opening hours and dayparts. Thin views over `restaurant_ops.services`, the same
services as the set-up pages."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from restaurant_ops import services
from restaurant_ops.errors import DomainError
from restaurant_ops.models import Daypart, OpeningHours, Store, TaxCategory
from restaurant_ops.permissions import Perm

from . import filters as bounded
from .idempotency import idempotent
from .scoping import accessible_stores, account_key, require, require_owner_scope, resolve_store
from .serializers import InputSerializer, ModelInputSerializer


def valid(serializer_class, request, *, partial: bool = False) -> dict:
    data = serializer_class(data=request.data, partial=partial)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class UpdatedSinceFilter(bounded.IsoDateTimeFilter):
    def __init__(self, **kwargs):
        super().__init__(field_name="updated_at", lookup_expr="gte", **kwargs)


def store_filterset(model_class, *extra, store_field: str = "store__slug"):
    """A FilterSet with `store` (slug) and `updated_since` for a model with a store and updated_at
    (for the stores themselves, `store_field="slug"`)."""
    meta = type("Meta", (), {"model": model_class, "fields": list(extra)})
    return type(
        f"{model_class.__name__}Filter",
        (django_filters.FilterSet,),
        {
            "store": django_filters.CharFilter(field_name=store_field),
            "updated_since": UpdatedSinceFilter(),
            "Meta": meta,
        },
    )


# --- stores -------------------------------------------------------------------------------------


class StoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Store
        fields = [
            "id",
            "slug",
            "name",
            "time_zone",
            "currency",
            "prices_include_tax",
            "service_charge_rate",
            "business_day_cutoff",
            "shortage_policy",
            "table_session_mode",
            "payment_timing",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StoreInputSerializer(ModelInputSerializer):
    class Meta:
        model = Store
        fields = sorted(services.STORE_FIELDS)
        extra_kwargs = {"name": {"required": True}, "time_zone": {"required": True}}

    def get_validators(self):
        return []


class StoreListView(generics.ListAPIView):
    """The caller's stores. POST opens a new store with the caller as its owner: an owner's **account
    key** (a store's own key may not) or an owner's session."""

    read_perm = Perm.MANAGE_STORE

    serializer_class = StoreSerializer
    filterset_class = store_filterset(Store, store_field="slug")

    def get_queryset(self):
        return accessible_stores(self.request).order_by("id")

    @extend_schema(request=StoreInputSerializer, responses={201: StoreSerializer})
    @idempotent
    def post(self, request):
        payload = valid(StoreInputSerializer, request)
        key = account_key(request)
        if key is not None:
            owner = key.owner
        elif request.auth is not None:
            raise DomainError("", "permission_denied", _("Opening a store needs the owner's account key."))
        else:
            owner = request.user
        store = services.store_create(
            owner=owner,
            name=payload.pop("name"),
            time_zone=payload.pop("time_zone"),
            currency=payload.pop("currency", "USD"),
            **payload,
        )
        return Response(StoreSerializer(store).data, status=status.HTTP_201_CREATED)


class StoreDetailView(generics.RetrieveAPIView):
    """A store's settings. PATCH needs the owner's account key, or a session whose role may change the
    store's settings (as on the settings page)."""

    read_perm = Perm.MANAGE_STORE

    serializer_class = StoreSerializer

    def get_queryset(self):
        return accessible_stores(self.request)

    @extend_schema(request=StoreInputSerializer, responses={200: StoreSerializer})
    def patch(self, request, pk: int):
        store = self.get_object()
        payload = valid(StoreInputSerializer, request, partial=True)
        require_owner_scope(request, store)
        store = services.store_update(store=store, by=request.user, **payload)
        return Response(StoreSerializer(store).data)


# --- tax categories ------------------------------------------------------------------------------


class TaxCategorySerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = TaxCategory
        fields = ["id", "store", "name", "rate", "updated_at"]


class TaxCategoryInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False, help_text="Store slug (an account key names it).")
    name = serializers.CharField(max_length=60)
    rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=0, max_value=1, help_text="A fraction: 0.0800 for 8%."
    )


class TaxCategoryListView(generics.ListAPIView):
    """The store's tax rates; menu items point to one."""

    read_perm = Perm.MANAGE_STORE

    serializer_class = TaxCategorySerializer
    filterset_class = store_filterset(TaxCategory, "name")

    def get_queryset(self):
        return TaxCategory.objects.filter(store__in=accessible_stores(self.request)).select_related("store")

    @extend_schema(request=TaxCategoryInputSerializer, responses={201: TaxCategorySerializer})
    @idempotent
    def post(self, request):
        payload = valid(TaxCategoryInputSerializer, request)
        store = resolve_store(request, payload.get("store"))
        require(request, store, Perm.MANAGE_STORE)
        tax = services.tax_category_save(store=store, name=payload["name"], rate=payload["rate"])
        return Response(TaxCategorySerializer(tax).data, status=status.HTTP_201_CREATED)


class TaxCategoryDetailView(generics.RetrieveAPIView):
    """DELETE refuses (409 `in_use`) while menu items use the tax."""

    read_perm = Perm.MANAGE_STORE

    serializer_class = TaxCategorySerializer

    def get_queryset(self):
        return TaxCategory.objects.filter(store__in=accessible_stores(self.request)).select_related("store")

    @extend_schema(request=TaxCategoryInputSerializer, responses={200: TaxCategorySerializer})
    def patch(self, request, pk: int):
        tax = self.get_object()
        payload = valid(TaxCategoryInputSerializer, request, partial=True)
        require(request, tax.store, Perm.MANAGE_STORE)
        tax = services.tax_category_save(
            store=tax.store,
            name=payload.get("name", tax.name),
            rate=payload.get("rate", tax.rate),
            tax_category=tax,
        )
        return Response(TaxCategorySerializer(tax).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        tax = self.get_object()
        require(request, tax.store, Perm.MANAGE_STORE)
        services.tax_category_delete(tax_category=tax)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- opening hours ---------------------------------------------------------------------------------


class OpeningHoursSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = OpeningHours
        fields = ["id", "store", "weekday", "opens", "closes", "updated_at"]


class OpeningHoursInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False, help_text="Store slug (an account key names it).")
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 = Monday … 6 = Sunday")
    opens = serializers.TimeField()
    closes = serializers.TimeField(help_text="At or before `opens`: the span passes midnight.")


class OpeningHoursListView(generics.ListAPIView):
    """Opening spans, one per row (a day without one is closed); spans of one day may not overlap (409)."""

    read_perm = Perm.MANAGE_STORE

    serializer_class = OpeningHoursSerializer
    filterset_class = store_filterset(OpeningHours, "weekday")

    def get_queryset(self):
        return OpeningHours.objects.filter(store__in=accessible_stores(self.request)).select_related("store")

    @extend_schema(request=OpeningHoursInputSerializer, responses={201: OpeningHoursSerializer})
    @idempotent
    def post(self, request):
        payload = valid(OpeningHoursInputSerializer, request)
        store = resolve_store(request, payload.pop("store", None))
        require(request, store, Perm.MANAGE_STORE)
        span = services.opening_hours_span_save(store=store, **payload)
        return Response(OpeningHoursSerializer(span).data, status=status.HTTP_201_CREATED)


class OpeningHoursDetailView(generics.RetrieveAPIView):
    read_perm = Perm.MANAGE_STORE

    serializer_class = OpeningHoursSerializer

    def get_queryset(self):
        return OpeningHours.objects.filter(store__in=accessible_stores(self.request)).select_related("store")

    @extend_schema(request=OpeningHoursInputSerializer, responses={200: OpeningHoursSerializer})
    def patch(self, request, pk: int):
        span = self.get_object()
        payload = valid(OpeningHoursInputSerializer, request, partial=True)
        payload.pop("store", None)
        require(request, span.store, Perm.MANAGE_STORE)
        fields = {"weekday": span.weekday, "opens": span.opens, "closes": span.closes, **payload}
        span = services.opening_hours_span_save(store=span.store, span=span, **fields)
        return Response(OpeningHoursSerializer(span).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        span = self.get_object()
        require(request, span.store, Perm.MANAGE_STORE)
        services.opening_hours_span_delete(span=span)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- dayparts ---------------------------------------------------------------------------------------


class DaypartSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Daypart
        fields = ["id", "store", "name", "starts", "ends", "updated_at"]


class DaypartInputSerializer(InputSerializer):
    store = serializers.SlugField(required=False, help_text="Store slug (an account key names it).")
    name = serializers.ChoiceField(choices=Daypart.Name.choices)
    starts = serializers.TimeField()
    ends = serializers.TimeField(help_text="Earlier than `starts`: the daypart passes midnight.")


class DaypartListView(generics.ListAPIView):
    """Dayparts the analyses group sales by (one of each name per store: a second is 409)."""

    read_perm = Perm.MANAGE_STORE

    serializer_class = DaypartSerializer
    filterset_class = store_filterset(Daypart, "name")

    def get_queryset(self):
        return Daypart.objects.filter(store__in=accessible_stores(self.request)).select_related("store")

    @extend_schema(request=DaypartInputSerializer, responses={201: DaypartSerializer})
    @idempotent
    def post(self, request):
        payload = valid(DaypartInputSerializer, request)
        store = resolve_store(request, payload.pop("store", None))
        require(request, store, Perm.MANAGE_STORE)
        daypart = services.daypart_save(store=store, **payload)
        return Response(DaypartSerializer(daypart).data, status=status.HTTP_201_CREATED)


class DaypartDetailView(generics.RetrieveAPIView):
    read_perm = Perm.MANAGE_STORE

    serializer_class = DaypartSerializer

    def get_queryset(self):
        return Daypart.objects.filter(store__in=accessible_stores(self.request)).select_related("store")

    @extend_schema(request=DaypartInputSerializer, responses={200: DaypartSerializer})
    def patch(self, request, pk: int):
        daypart = self.get_object()
        payload = valid(DaypartInputSerializer, request, partial=True)
        payload.pop("store", None)
        require(request, daypart.store, Perm.MANAGE_STORE)
        fields = {"name": daypart.name, "starts": daypart.starts, "ends": daypart.ends, **payload}
        daypart = services.daypart_save(store=daypart.store, daypart=daypart, **fields)
        return Response(DaypartSerializer(daypart).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        daypart = self.get_object()
        require(request, daypart.store, Perm.MANAGE_STORE)
        services.daypart_delete(daypart=daypart)
        return Response(status=status.HTTP_204_NO_CONTENT)
