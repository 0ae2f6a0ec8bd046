"""Reads an open board makes every few seconds, compiled by the ORM once per process.

Building a queryset and compiling it to SQL is most of the CPU of a short read: more
than PostgreSQL spends answering it. A read that keeps one shape and changes only its
values (the person of a request, a board's id, the day) is built once with stand-in
values; each run sends the SQL compiled then with the real values in their places."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


class Compiled:
    """``build(**values)``: a ``values_list()`` queryset whose values are the keyword
    arguments. ``stand_ins`` are values ``build`` is first called with, each of a kind
    and size no real query holds (the compiled SQL's parameters are told apart by them).
    ``rows(**values)`` answers what ``list(build(**values))`` would. On a database other
    than PostgreSQL (SQLite under ``make run``) each run is built as usual."""

    def __init__(self, build: Callable[..., QuerySet], **stand_ins: Any) -> None:
        self.build = build
        self.stand_ins = stand_ins
        self._compiled: tuple[str, list[tuple[bool, Any]], dict[int, Any]] | None = None

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            return list(self.build(**values))
        if self._compiled is None:
            self._compiled = self._compile()
        sql, slots, converters = self._compiled
        params = [values[value] if named else value for named, value in slots]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return rows
        converted = []
        for row in map(list, rows):
            for position, (functions, expression) in converters.items():
                for function in functions:
                    row[position] = function(row[position], expression, connection)
            converted.append(tuple(row))
        return converted

    def _compile(self) -> tuple[str, list[tuple[bool, Any]], dict[int, Any]]:
        queryset = self.build(**self.stand_ins)
        compiler = queryset.query.get_compiler(using=DEFAULT_DB_ALIAS)
        sql, params = compiler.as_sql()
        slots: list[tuple[bool, Any]] = []
        for param in params:
            names = [
                name
                for name, value in self.stand_ins.items()
                if type(param) is type(value) and param == value
            ]
            slots.append((True, names[0]) if names else (False, param))
        missing = set(self.stand_ins) - {value for named, value in slots if named}
        if missing:
            raise ValueError(f"Not among the compiled query's parameters: {sorted(missing)}")
        fields = [select[0] for select in compiler.select[: compiler.col_count]]
        return sql, slots, compiler.get_converters(fields)
