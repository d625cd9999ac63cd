"""Rows read with one statement written out once, made into models as a queryset would.

For the lookups every request makes (the signed-in coach, their session, a signing link),
composing the query through the ORM costs more CPU than the database spends answering
it. Here the columns come from the models' metadata, the statement around them is plain
SQL with bound values, each value goes through its field's converters, and the models
come from `Model.from_db`; fields left out load when first used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.expressions import Col

# Which fields of which models one statement selects, in its order.
type Selection = tuple[tuple[type[Model], tuple[str, ...]], ...]

type _Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


def columns_of(selection: Selection) -> tuple[Col, ...]:
    """The selected fields as columns of their models' tables."""
    fields = [
        model._meta.get_field(name.removesuffix("_id"))
        for model, names in selection
        for name in names
    ]
    return tuple(
        field.get_col(field.model._meta.db_table) for field in fields if isinstance(field, Field)
    )


def select_list(columns: Sequence[Col]) -> str:
    """`"table"."column", ...` for a statement's SELECT: names only, never values."""
    quote = connection.ops.quote_name
    return ", ".join(f"{quote(col.alias)}.{quote(col.target.column or '')}" for col in columns)


def all_fields(model: type[Model]) -> tuple[str, ...]:
    """Every column of a model, by attribute name, as a queryset without `only()` reads."""
    return tuple(field.attname for field in model._meta.concrete_fields)


def _converted(rows: Sequence[Sequence[Any]], columns: Sequence[Col]) -> list[list[Any]]:
    # The converters of this request's own connection (SQLite's differ per thread).
    converters: list[list[_Converter]] = [
        [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]
        for col in columns
    ]
    converted = []
    for row in rows:
        values = []
        for value, col, column_converters in zip(row, columns, converters, strict=True):
            for convert in column_converters:
                value = convert(value, col, connection)
            values.append(value)
        converted.append(values)
    return converted


def read_values(sql: str, params: Sequence[Any], columns: Sequence[Col]) -> list[list[Any]]:
    """Every row of the statement, as its columns' values."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return _converted(cursor.fetchall(), columns)


def read_one(
    sql: str, params: Sequence[Any], selection: Selection, columns: Sequence[Col]
) -> list[Model | None] | None:
    """The models of the statement's first row, one per entry of `selection` (None for a
    LEFT JOIN that found nothing), or None when there is no row."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        row = cursor.fetchone()
    if row is None:
        return None
    remaining = iter(_converted([row], columns)[0])
    models: list[Model | None] = []
    for model, names in selection:
        fields = [next(remaining) for _ in names]
        pk_name = model._meta.pk.attname if model._meta.pk is not None else ""
        missing = pk_name in names and fields[names.index(pk_name)] is None
        models.append(None if missing else model.from_db(connection.alias, names, fields))
    return models
