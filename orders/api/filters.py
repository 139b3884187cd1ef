import django_filters

from orders.models import Check, MenuItem, Order, Payment
from restaurant_ops.api import filters as bounded


class OrderFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    status = django_filters.MultipleChoiceFilter(choices=Order.Status.choices)
    table = bounded.IdFilter(field_name="table_id")
    date_from = bounded.DateFilter(
        field_name="business_date", lookup_expr="gte", label="First business day (store-local, inclusive)"
    )
    date_to = bounded.DateFilter(
        field_name="business_date", lookup_expr="lte", label="Last business day (inclusive)"
    )
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    external_id = django_filters.CharFilter()

    class Meta:
        model = Order
        fields = ["store", "status", "table", "channel", "external_id"]


class MenuItemFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = MenuItem
        fields = ["store", "category", "external_id", "is_active"]


class CheckFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    status = django_filters.MultipleChoiceFilter(choices=Check.Status.choices)
    table = bounded.IdFilter(field_name="table_id")
    date_from = bounded.DateFilter(field_name="business_date", lookup_expr="gte")
    date_to = bounded.DateFilter(field_name="business_date", lookup_expr="lte")
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Check
        fields = ["store", "status", "table", "service_type"]


class PaymentFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    check = bounded.IdFilter(field_name="guest_check_id")
    date_from = bounded.DateFilter(field_name="business_date", lookup_expr="gte")
    date_to = bounded.DateFilter(field_name="business_date", lookup_expr="lte")
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Payment
        fields = ["store", "method", "kind"]
