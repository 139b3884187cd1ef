"""The one error type a service raises for a request it refuses: field path, code, message.

Services speak the domain: they say *what* is wrong (the code, e.g. `not_found`, `sold_out`,
`exceeds_balance`) and never how HTTP spells it. The API and the pages turn a code into a status
through one table, `restaurant_ops.api.errors.STATUS_BY_CODE` (documented in the README)."""

import re

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _


class DomainError(Exception):
    def __init__(self, field: str, code: str, message: str):
        super().__init__(message)
        self.field, self.code, self.message = field, code, message

    def as_dict(self) -> dict:
        return {"field": self.field, "code": self.code, "message": str(self.message)}


class DomainErrors(Exception):
    """Several field errors at once (e.g. two bad lines in one order), reported together."""

    def __init__(self, errors: list[DomainError]):
        super().__init__("; ".join(str(e.message) for e in errors))
        self.errors = errors


def error_list(error: DomainError | DomainErrors) -> list[DomainError]:
    return list(error.errors) if isinstance(error, DomainErrors) else [error]


def conflict_from_integrity_error(error: IntegrityError) -> DomainError | None:
    """A unique violation that a service's own check lost to a concurrent request (two tills sending
    one external id at once) becomes the `duplicate` (409) that the check would have raised, naming the field.
    Any other integrity error is a bug and stays one (None)."""
    cause = error.__cause__
    if getattr(cause, "pgcode", None) == "23505":  # PostgreSQL unique_violation
        model, field = _unique_field(
            getattr(cause.diag, "table_name", ""),
            getattr(cause.diag, "constraint_name", ""),
            re.findall(r"\w+", (cause.diag.message_detail or "").partition("=")[0]),
        )
    elif str(error).startswith("UNIQUE constraint failed: "):  # SQLite, the embedded default
        columns = str(error).removeprefix("UNIQUE constraint failed: ").split(", ")
        table = columns[0].partition(".")[0]
        model, field = _unique_field(table, "", [column.partition(".")[2] for column in columns])
    else:
        return None
    if model is None:
        return None
    label = field.verbose_name if field is not None else _("these values")
    return DomainError(
        field.name if field is not None else "",
        "duplicate",
        _("Another %(model)s already has this %(field)s.")
        % {"model": model._meta.verbose_name, "field": label},
    )


def _unique_field(table: str, constraint: str, columns: list[str]):
    """(model, the field a caller chose) for a violated unique constraint: the last column that is
    not the store, e.g. external_id of (store, channel, external_id)."""
    model = next((m for m in apps.get_models() if m._meta.db_table == table), None)
    if model is None:
        return None, None
    for named in model._meta.constraints:
        if named.name == constraint and getattr(named, "fields", None):
            columns = [model._meta.get_field(name).column for name in named.fields]
    by_column = {f.column: f for f in model._meta.concrete_fields}
    chosen = [by_column[c] for c in columns if c in by_column and c != "store_id"]
    return model, (chosen[-1] if chosen else None)


def all_or_nothing(rows: list[dict], write, *, path: str = "rows") -> list:
    """Calls `write(**row)` for every row inside one transaction, so an import writes every row or none;
    every refused row is reported at once, its field prefixed with `path[index]`. Call it inside the
    caller's transaction (a service decorated with `transaction.atomic`)."""
    done, errors = [], []
    for index, row in enumerate(rows):
        try:
            with transaction.atomic():
                done.append(write(**row))
        except DomainError as error:
            errors.append(DomainError(f"{path}[{index}].{error.field}", error.code, error.message))
    if errors:
        raise DomainErrors(errors)
    return done
