"""Querysets compiled to SQL once per process, then run as plain queries with new values.

Turning a queryset into SQL costs the ORM about 0.3–1 ms of Python per query (resolving
lookups and joins, building the column list, quoting), often more than PostgreSQL takes to
answer it. The screen-pop / lookup path runs the same few queries for every call, so it
compiles them once: the queryset is still written with the ORM (columns stay in step with the
model, no hand-written SQL). Compiling also fixes the column list and the converters, so a run
is one cursor call and ``Model.from_db`` per row (converters applied, normal instances).

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


def _flatten(args: tuple) -> list:
    out: list = []
    for a in args:
        if isinstance(a, (list, tuple)):
            out.extend(a)
        else:
            out.append(a)
    return out


@dataclass(frozen=True)
class _Plan:
    sql: str
    model: type[Model]
    db: str
    field_names: tuple[str, ...]
    converters: dict  # {column position: ([converters], expression)} as the compiler makes it
    compiler: SQLCompiler

    def build(self, rows: Iterable[Any]) -> list:
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        from_db, db, names = self.model.from_db, self.db, self.field_names
        return [from_db(db, names, row) for row in rows]


REGISTRY: list["CompiledQuery"] = []  # every CompiledQuery made, in the order made


class CompiledQuery[M: Model]:
    def __init__(self, build: Callable[..., QuerySet[M]], *, example: tuple):
        """build(*args) makes the queryset; example: arguments shaped like the real ones (the
        compile check in the tests runs every registered query with them)."""
        self.build = build
        self.example = example
        self._sql: dict[tuple, _Plan | None] = {}
        REGISTRY.append(self)

    def __repr__(self) -> str:
        code = self.build.__code__
        return f"<CompiledQuery {self.build.__module__}:{code.co_firstlineno}>"

    def compiles(self, *args) -> bool:
        """Whether this query, called with args, runs as compiled SQL (not through the ORM)."""
        return self._plan(args)[0] is not None

    def _plan(self, args: tuple) -> tuple[_Plan | None, QuerySet | None]:
        shape = tuple(len(a) if isinstance(a, (list, tuple)) else None for a in args)
        if shape in self._sql:
            return self._sql[shape], None
        qs = self.build(*args)
        plan = self._sql[shape] = self._compile(qs, _flatten(args))
        if plan is None and 0 not in shape:  # an empty list has no SQL: not a fallback
            log.warning("%r does not compile for %r: it runs through the ORM", self, shape)
        return plan, qs

    def __call__(self, *args) -> list[M]:
        plan, qs = self._plan(args)
        if plan is None:  # does not fit: the ORM as usual
            return list(qs if qs is not None else self.build(*args))
        with connections[plan.db].cursor() as cursor:
            cursor.execute(plan.sql, _flatten(args))
            return plan.build(cursor.fetchall())

    def _compile(self, qs: QuerySet, params: list) -> _Plan | None:
        query = qs.query
        if query.select_related or query.annotations or query.deferred_loading[0]:
            return None
        compiler = query.get_compiler(using=qs.db, connection=connections[qs.db])
        try:
            sql, compiled_params = compiler.as_sql()
        except EmptyResultSet:
            return None
        if list(compiled_params) != params:
            return None
        columns = [col for col, _alias, _sql in compiler.select]
        names = tuple(getattr(col, "target", None) and col.target.attname for col in columns)
        concrete = tuple(f.attname for f in qs.model._meta.concrete_fields)
        if names != concrete:  # a plain model query selects exactly the concrete fields
            return None
        return _Plan(
            sql=sql,
            model=qs.model,
            db=qs.db,
            field_names=names,
            converters=compiler.get_converters(columns),
            compiler=compiler,
        )
