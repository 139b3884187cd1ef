"""What every write's input serializer shares: a field the serializer does not know is a 400 naming it,
so a typo (`recieved_at`) or a field the server computes (`price`) never silently drops data."""

import copy
import threading
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail


class StrictInput:
    # Mixin for input serializers (nested ones too): unknown keys are errors, reported with the rest.
    # (A comment, not a docstring: the schema would give it as every request body's description.)

    def to_internal_value(self, data):
        writable = {name for name, field in self.fields.items() if not field.read_only}
        unknown = sorted(set(data) - writable) if isinstance(data, Mapping) else []
        errors: dict = {}
        value = None
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors = dict(exc.detail) if isinstance(exc.detail, Mapping) else {"non_field_errors": exc.detail}
        for name in unknown:
            errors[name] = [ErrorDetail(str(_("Unknown field.")), "unknown_field")]
        if errors:
            raise serializers.ValidationError(errors)
        return value


class InputSerializer(StrictInput, serializers.Serializer):
    @classmethod
    def validated(cls, data) -> dict:
        """`cls(data=data)`, `is_valid(raise_exception=True)` and its `validated_data`, from one
        serializer per thread whose fields are built once (for the order API: building them for every
        order cost about a twentieth of its web CPU). Validating stores only the data, the result and
        the errors on the serializer, and this starts each call without them."""
        local = cls.__dict__.get("_per_thread")
        if local is None:
            local = cls._per_thread = threading.local()
        if (serializer := getattr(local, "serializer", None)) is None:
            serializer = local.serializer = cls(data=data)
        serializer.initial_data = data
        serializer.__dict__.pop("_validated_data", None)
        serializer.__dict__.pop("_errors", None)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class ModelInputSerializer(StrictInput, serializers.ModelSerializer):
    pass


class FieldsBuiltOnce:
    # Mixin for a ModelSerializer on a hot path (the order API's answer): DRF builds a model
    # serializer's fields from the model's metadata for every instance; this builds them once per class
    # and hands each instance a deep copy (as DRF does with declared fields), which costs a fraction.

    def get_fields(self):
        cls = type(self)
        if "_fields_built" not in cls.__dict__:
            cls._fields_built = super().get_fields()
        return copy.deepcopy(cls._fields_built)

    @classmethod
    def represent(cls, instance) -> dict:
        """`cls(instance).data` (without context) from one serializer per thread, made once: even the
        deep copy of its fields (and its nested serializers') cost about a tenth of an API order's web
        CPU. Safe to reuse because representing stores nothing on the serializer; validating does,
        so this is for output only."""
        local = cls.__dict__.get("_per_thread")
        if local is None:
            local = cls._per_thread = threading.local()
        if (serializer := getattr(local, "serializer", None)) is None:
            serializer = local.serializer = cls()
        return serializer.to_representation(instance)
