"""INSERT of one new row with SQL built once per model and database.

Opening a case writes about seven rows (case, timeline event, SLA clock, text analysis,
notification, search document, audit record). Through ``Model.save()`` each costs the ORM
about 0.5 ms of Python (collecting fields, building and quoting the INSERT), several times
what PostgreSQL needs to store it. Models on that path inherit ``FastInsertModel``: a save of
a new instance (``objects.create()``, ``save()``, ``save(force_insert=True)``) runs one prepared
statement instead, with the same field preparation (``pre_save``, ``get_db_prep_save``: defaults,
``auto_now``, JSON adaptation) and the primary key read back. Anything else (updates,
``update_fields``, signal receivers, database defaults, fields with their own placeholder)
goes through the ORM as usual.
"""

from dataclasses import dataclass

from django.db import connections, models, router, transaction
from django.db.models import signals
from django.db.models.constants import OnConflict
from django.db.models.expressions import DatabaseDefault

from cskh.core import writebehind


@dataclass(frozen=True)
class _Plan:
    sql: str
    fields: tuple  # model fields in column order
    returning: bool
    auto_pk: bool  # the database numbers the row (else the instance carries its key)


_PLANS: dict[tuple[type, str, bool], _Plan | None] = {}


def _plan(model: type[models.Model], alias: str, ignore_conflicts: bool) -> _Plan | None:
    key = (model, alias, ignore_conflicts)
    if key in _PLANS:
        return _PLANS[key]
    conn = connections[alias]
    meta = model._meta
    auto_pk = meta.auto_field is not None and meta.pk is meta.auto_field
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    plan = None
    ok = not meta.parents and all(
        not getattr(f, "generated", False)
        and not hasattr(f, "get_placeholder")
        and f.db_default is models.NOT_PROVIDED
        for f in fields
    )
    returning = conn.features.can_return_columns_from_insert
    if ignore_conflicts:  # conflicts are told apart by the missing RETURNING row
        ok = ok and returning and conn.features.supports_ignore_conflicts
    if ok:
        qn = conn.ops.quote_name
        cols = ", ".join(qn(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        how = OnConflict.IGNORE if ignore_conflicts else None
        sql = (
            f"{conn.ops.insert_statement(on_conflict=how)} {qn(meta.db_table)} ({cols}) "
            f"VALUES ({marks})"
        )
        suffix = conn.ops.on_conflict_suffix_sql(fields, how, None, None)
        if suffix:
            sql += f" {suffix}"
        if returning:
            sql += f" RETURNING {qn(meta.pk.column)}"
        plan = _Plan(sql=sql, fields=tuple(fields), returning=returning, auto_pk=auto_pk)
    _PLANS[key] = plan
    return plan


def _prepare(
    obj: models.Model, using: str | None, ignore_conflicts: bool, force_insert: bool
) -> tuple[_Plan, str, list] | None:
    """(plan, database alias, parameters) for storing a new instance, or None when it does
    not fit."""
    model = type(obj)
    if signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model):
        return None
    alias = using or router.db_for_write(model, instance=obj)
    plan = _plan(model, alias, ignore_conflicts)
    if plan is None:
        return None
    if (obj.pk is not None) if plan.auto_pk else (obj.pk is None or not force_insert):
        return None
    conn = connections[alias]
    obj._prepare_related_fields_for_save(operation_name="save")
    values = [f.pre_save(obj, True) for f in plan.fields]
    if any(isinstance(v, DatabaseDefault) for v in values):
        return None
    params = [
        f.get_db_prep_save(v, connection=conn) for f, v in zip(plan.fields, values, strict=True)
    ]
    return plan, alias, params


def _stored(obj: models.Model, plan: _Plan, alias: str, pk) -> None:
    if plan.auto_pk:
        obj.pk = obj._meta.pk.to_python(pk)
    obj._state.adding = False
    obj._state.db = alias


def insert(
    obj: models.Model,
    using: str | None = None,
    *,
    ignore_conflicts: bool = False,
    force_insert: bool = False,
) -> bool | None:
    """Stores a new instance in one INSERT and returns True; None when it does not fit (the
    caller then saves through the ORM). A model numbered by the database needs its primary key
    unset; one keyed otherwise (e.g. a one-to-one primary key) needs it set and
    ``force_insert``, as the ORM would. With ``ignore_conflicts`` a row that would break a
    unique constraint is not stored (no error, no savepoint needed) and the result is False."""
    prepared = _prepare(obj, using, ignore_conflicts, force_insert)
    return None if prepared is None else _run(obj, *prepared)


def _run(obj: models.Model, plan: _Plan, alias: str, params: list) -> bool:
    """The prepared INSERT, now: False for an ignored conflict."""
    conn = connections[alias]
    with transaction.mark_for_rollback_on_error(alias), conn.cursor() as cursor:
        cursor.execute(plan.sql, params)
        if plan.returning:
            row = cursor.fetchone()
            if row is None:  # ignored conflict
                return False
            pk = row[0]
        else:
            pk = cursor.lastrowid if plan.auto_pk else obj.pk
    _stored(obj, plan, alias, pk)
    return True


def insert_later(obj: models.Model, using: str | None = None, *, force_insert: bool = False):
    """Store a new instance that nothing reads back in Python before the transaction ends:
    inside a ``writebehind.batch`` the INSERT is held and goes out with the next statement
    (the primary key of a database-numbered row is set then); otherwise it runs now. Falls
    back to ``save()`` where ``insert`` would not fit."""
    prepared = _prepare(obj, using, False, force_insert)
    if prepared is None:
        obj.save(force_insert=force_insert, using=using)
        return
    plan, alias, params = prepared
    if not plan.returning:  # SQLite, say: nothing is held there anyway
        _run(obj, plan, alias, params)
        return
    _stored(obj, plan, alias, obj.pk)

    def on_row(row) -> None:
        if plan.auto_pk:
            obj.pk = obj._meta.pk.to_python(row[0])

    writebehind.execute_later(plan.sql, params, on_row=on_row, using=alias)


class FastInsertModel(models.Model):
    """Base for append-heavy models: new rows are stored through ``insert``."""

    class Meta:
        abstract = True

    def save(
        self, *, force_insert=False, force_update=False, using=None, update_fields=None
    ) -> None:
        if (
            self._state.adding
            and not force_update
            and update_fields is None
            and insert(self, using=using, force_insert=bool(force_insert)) is not None
        ):
            return
        super().save(
            force_insert=force_insert,
            force_update=force_update,
            using=using,
            update_fields=update_fields,
        )
