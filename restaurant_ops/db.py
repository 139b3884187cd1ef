"""Model instances from hand-written SQL, for the few reads on the order path where building and
compiling the ORM's query costs more CPU than running it (see `python -m bench.profile_order`).

The SQL selects every concrete column of a model (`columns`), in the model's field order, and
`instance` turns its slice of a row into the instance the ORM would have built: the same database
converters (JSON, and SQLite's decimals and datetimes), and `from_db`, so it saves like one read by
the ORM. Plain SQL (IN lists, LEFT JOINs), so it runs on PostgreSQL and on the SQLite demo alike."""

import functools

from django.db import connection


def columns(model, alias: str) -> str:
    """`alias."col", …` for every concrete field of `model`."""
    return ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields)


def width(model) -> int:
    """How many columns `columns(model, …)` selects."""
    return len(model._meta.concrete_fields)


def placeholders(values) -> str:
    """`%s, %s, …` for an IN list (at least one: `IN ()` is not SQL; a NULL matches nothing)."""
    return ", ".join(["%s"] * max(len(values), 1))


def in_params(values) -> list:
    return list(values) or [None]


@functools.cache
def _converters(model, vendor: str) -> tuple:
    # (index, column expression, converters) of the fields whose raw value the backend converts, as
    # the ORM's compiler would for this column.
    found = []
    for index, field in enumerate(model._meta.concrete_fields):
        col = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if converters:
            found.append((index, col, tuple(converters)))
    return tuple(found)


def instance(model, row, start: int = 0):
    """The `model` in `row[start:start + width(model)]`, or None when its primary key is NULL (a LEFT
    JOIN that matched nothing)."""
    fields = model._meta.concrete_fields
    values = list(row[start : start + len(fields)])
    if values[fields.index(model._meta.pk)] is None:
        return None
    for index, col, converters in _converters(model, connection.vendor):
        value = values[index]
        for converter in converters:
            value = converter(value, col, connection)
        values[index] = value
    return model.from_db(connection.alias, None, values)
