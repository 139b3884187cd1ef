import django_filters

from kitchen.models import PrepTask, Station, Ticket


class StationFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Station
        fields = ["store"]


class TicketFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    status = django_filters.MultipleChoiceFilter(choices=Ticket.Status.choices)
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    queued_from = django_filters.IsoDateTimeFilter(field_name="queued_at", lookup_expr="gte")
    queued_to = django_filters.IsoDateTimeFilter(field_name="queued_at", lookup_expr="lt")

    class Meta:
        model = Ticket
        fields = ["store", "station", "status", "order"]


class PrepTaskFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    ready_by_before = django_filters.IsoDateTimeFilter(field_name="ready_by", lookup_expr="lte")

    class Meta:
        model = PrepTask
        fields = ["store", "menu_item", "done", "source"]
