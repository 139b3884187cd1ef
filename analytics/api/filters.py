import django_filters

from analytics.models import Insight
from restaurant_ops.api import filters as bounded


class InsightFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    kind = django_filters.MultipleChoiceFilter(choices=Insight.Kind.choices)
    state = django_filters.MultipleChoiceFilter(choices=Insight.State.choices)
    severity = django_filters.MultipleChoiceFilter(choices=Insight.Severity.choices)
    open = django_filters.BooleanFilter(
        method="filter_open", label="Only open insights (new or acknowledged)"
    )
    updated_since = bounded.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Insight
        fields = ["store", "kind", "state", "severity", "subject"]

    def filter_open(self, queryset, name, value):
        return (
            queryset.filter(state__in=Insight.OPEN_STATES)
            if value
            else queryset.exclude(state__in=Insight.OPEN_STATES)
        )
