import django_filters

from kitchen.models import PrepTask, Station, Ticket
from restaurant_ops.api import filters as bounded


class StationFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Station
        fields = ["store"]


class TicketFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    status = django_filters.MultipleChoiceFilter(choices=Ticket.Status.choices)
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    queued_from = bounded.IsoDateTimeFilter(field_name="queued_at", lookup_expr="gte")
    queued_to = bounded.IsoDateTimeFilter(field_name="queued_at", lookup_expr="lt")

    class Meta:
        model = Ticket
        fields = ["store", "station", "status", "order"]


class PrepTaskFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    ready_by_before = bounded.IsoDateTimeFilter(field_name="ready_by", lookup_expr="lte")

    class Meta:
        model = PrepTask
        fields = ["store", "menu_item", "done", "source"]
