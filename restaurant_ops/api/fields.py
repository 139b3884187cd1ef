"""DRF fields with the bounds of restaurant_ops.bounds: a date or time outside them is a 400, never an
overflow or a PostgreSQL error."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from restaurant_ops import bounds


def _checked(check, value):
    try:
        return check(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(get_error_detail(error))


class DateTimeField(serializers.DateTimeField):
    def enforce_timezone(self, value):
        # Checked before the conversion to UTC, which overflows at the ends of Python's calendar.
        return super().enforce_timezone(_checked(bounds.check_datetime, value))


class DateField(serializers.DateField):
    def to_internal_value(self, value):
        return _checked(bounds.check_date, super().to_internal_value(value))


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", bounds.MAX_ID)
        super().__init__(**kwargs)
