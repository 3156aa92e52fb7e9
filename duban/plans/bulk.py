"""Writing many rows of a model in one statement: an import's assignments, tasks and due dates.

    insert_rows(Assignment, ["task_id", "unit_id", "role", "due_date"], rows)   # other columns: their defaults
    update_rows(Task, tasks, ["requirement", "section_id"])                     # each object's values, by id

Each is one statement whatever the number of rows: an executemany on SQLite (in-process, a loop in C), and on
PostgreSQL one INSERT … SELECT or UPDATE … FROM over unnest() of one array per column (one round trip, and a
short query text). Django's bulk_create and bulk_update turn every value of every row into SQL in Python
(bulk_update as a CASE per row and field): seconds of CPU for the 25,000 assignments or the 1,000 tasks of a
large plan, and on SQLite a statement per few dozen rows. Neither sends signals, sets auto_now fields, nor
returns the new rows' ids (use bulk_create where they are needed).
"""
from __future__ import annotations

from django.db import connection
from django.db.models import Model


def insert_rows(model: type[Model], attnames: list[str], rows: list[tuple]) -> None:
    """INSERT rows of values for `attnames` (field attnames, e.g. "task_id"); other columns take their defaults."""
    if not rows:
        return
    given = _fields(model, attnames)
    rest = [f for f in model._meta.concrete_fields if not f.primary_key and f not in given]
    defaults = [f.get_db_prep_save(f.get_default(), connection) for f in rest]
    values = [_prepared(given, row) for row in rows]
    columns = ", ".join(_qn(f.column) for f in [*given, *rest])
    table = _qn(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * (len(given) + len(rest)))})",
                               [(*row, *defaults) for row in values])
            return
        selected = ", ".join([*(f"x.c{i}" for i in range(len(given))), *(f"%s::{f.cast_db_type(connection)}" for f in rest)])
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {selected} FROM {_unnest(given)}", [*defaults, *_columns(values, len(given))])


def update_rows(model: type[Model], objs: list[Model], attnames: list[str]) -> None:
    """UPDATE each object's `attnames` to its values, by primary key."""
    if not objs:
        return
    fields = _fields(model, attnames)
    values = [(*_prepared(fields, [getattr(o, f.attname) for f in fields]), o.pk) for o in objs]
    table, pk = _qn(model._meta.db_table), _qn(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            sets = ", ".join(f"{_qn(f.column)} = %s" for f in fields)
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", values)
            return
        sets = ", ".join(f"{_qn(f.column)} = x.c{i}" for i, f in enumerate(fields))
        cursor.execute(f"UPDATE {table} SET {sets} FROM {_unnest([*fields, model._meta.pk])} WHERE {table}.{pk} = x.c{len(fields)}",
                       _columns(values, len(fields) + 1))


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _unnest(fields) -> str:
    """unnest(%s::bigint[], %s::date[], …) AS x(c0, c1, …): PostgreSQL's rows from one array per column."""
    arrays = ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in fields)
    return f"unnest({arrays}) AS x({', '.join(f'c{i}' for i in range(len(fields)))})"


def _columns(values: list[tuple], n: int) -> list[list]:
    return [[row[i] for row in values] for i in range(n)]


def _fields(model: type[Model], attnames: list[str]) -> list:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [by_attname[a] for a in attnames]


def _prepared(fields, values) -> list:
    return [f.get_db_prep_save(v, connection) for f, v in zip(fields, values)]
