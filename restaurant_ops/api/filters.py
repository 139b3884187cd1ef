"""django-filter filters with the bounds of restaurant_ops.bounds, used by every list's FilterSet."""

import django_filters
from django import forms
from django_filters import fields

from restaurant_ops import bounds


class _BoundedIsoDateTimeField(fields.IsoDateTimeField):
    def validate(self, value):
        super().validate(value)
        if value is not None:
            bounds.check_datetime(value)


class _BoundedDateField(forms.DateField):
    def validate(self, value):
        super().validate(value)
        if value is not None:
            bounds.check_date(value)


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _BoundedIsoDateTimeField


class DateFilter(django_filters.DateFilter):
    field_class = _BoundedDateField


class IdFilter(django_filters.NumberFilter):
    """An id: a whole number from 1 to the largest bigint (`table=abc` or `1e30` is a 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", bounds.MAX_ID)
        super().__init__(*args, **kwargs)
