"""Querysets compiled to SQL once per process, then run as plain queries with new values.

Turning a queryset into SQL costs the ORM about 0.3–1 ms of Python per query (resolving
lookups and joins, building the column list, quoting), often more than PostgreSQL takes to
answer it. The screen-pop / lookup path runs the same few queries for every call, so it
compiles them once: the queryset is still written with the ORM (columns stay in step with the
model, no hand-written SQL). Compiling also fixes the column list and the converters, so a run
is one cursor call and ``Model.from_db`` per row (converters applied, normal instances;
annotations set as attributes, as the ORM sets them).

Only for querysets whose parameters are exactly the arguments given (no expressions that
bake values into the SQL); a list argument compiles once per length. Anything that does not
fit runs through the ORM as usual, with a warning in the log: every CompiledQuery is listed in
``REGISTRY`` with example arguments, and tests/core/test_compiled.py checks on each database
that every production one compiles (a Django upgrade changing the compiler must fail a test,
not quietly cost the look-up path its speed).
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

log = logging.getLogger("cskh.compiled")


def _flatten(args: tuple[Any, ...]) -> list[Any]:
    out: list[Any] = []
    for a in args:
        if isinstance(a, (list, tuple)):
            out.extend(a)
        else:
            out.append(a)
    return out


@dataclass(frozen=True)
class _Plan[M: Model]:
    sql: str
    model: type[M]
    db: str
    field_names: tuple[str, ...]
    annotations: tuple[tuple[str, int], ...]  # (name, column position) after the fields
    # {column position: ([converters], expression)}, as the compiler makes it
    converters: dict[int, Any]
    compiler: SQLCompiler

    def build(self, rows: Iterable[Any]) -> list[M]:
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        from_db, db, names = self.model.from_db, self.db, self.field_names
        if not self.annotations:
            return [from_db(db, names, row) for row in rows]
        n, out = len(names), []
        for row in rows:  # as the ORM does: the annotations become attributes
            obj = from_db(db, names, row[:n])
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            out.append(obj)
        return out


REGISTRY: list["CompiledQuery[Any]"] = []  # every CompiledQuery made, in the order made


class CompiledQuery[M: Model]:
    def __init__(self, build: Callable[..., QuerySet[M]], *, example: tuple[object, ...]):
        """build(*args) makes the queryset; example: arguments shaped like the real ones (the
        compile check in the tests runs every registered query with them)."""
        self.build = build
        self.example = example
        self._sql: dict[tuple[int | None, ...], _Plan[M] | None] = {}
        REGISTRY.append(self)

    def __repr__(self) -> str:
        code = self.build.__code__
        return f"<CompiledQuery {self.build.__module__}:{code.co_firstlineno}>"

    def compiles(self, *args: object) -> bool:
        """Whether this query, called with args, runs as compiled SQL (not through the ORM)."""
        return self._plan(args)[0] is not None

    def _plan(self, args: tuple[object, ...]) -> tuple[_Plan[M] | None, QuerySet[M] | None]:
        shape = tuple(len(a) if isinstance(a, (list, tuple)) else None for a in args)
        if shape in self._sql:
            return self._sql[shape], None
        qs = self.build(*args)
        plan = self._sql[shape] = self._compile(qs, _flatten(args))
        if plan is None and 0 not in shape:  # an empty list has no SQL: not a fallback
            log.warning("%r does not compile for %r: it runs through the ORM", self, shape)
        return plan, qs

    def __call__(self, *args: object) -> list[M]:
        plan, qs = self._plan(args)
        if plan is None:  # does not fit: the ORM as usual
            return list(qs if qs is not None else self.build(*args))
        with connections[plan.db].cursor() as cursor:
            cursor.execute(plan.sql, _flatten(args))
            return plan.build(cursor.fetchall())

    def _compile(self, qs: QuerySet[M], params: list[Any]) -> _Plan[M] | None:
        query = qs.query
        # annotations (e.g. a Subquery value) come after the model's columns; an aggregate's
        # GROUP BY does not fit
        if query.select_related or query.group_by is not None or query.deferred_loading[0]:
            return None
        compiler = query.get_compiler(using=qs.db, connection=connections[qs.db])
        try:
            sql, compiled_params = compiler.as_sql()
        except EmptyResultSet:
            return None
        if list(compiled_params) != params:
            return None
        columns = [col for col, _alias, _sql in compiler.select]
        concrete = tuple(f.attname for f in qs.model._meta.concrete_fields)
        n = len(concrete)
        names = tuple(getattr(col, "target", None) and col.target.attname for col in columns[:n])
        annotations = tuple(sorted(compiler.annotation_col_map.items(), key=lambda a: a[1]))
        # a model query selects exactly the concrete fields, then its annotations
        if names != concrete or [p for _name, p in annotations] != list(range(n, len(columns))):
            return None
        return _Plan(
            sql=sql,
            model=qs.model,
            db=qs.db,
            field_names=names,
            annotations=annotations,
            converters=compiler.get_converters(columns),
            compiler=compiler,
        )
