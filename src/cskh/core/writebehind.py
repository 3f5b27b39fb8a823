"""Write-behind of rows nothing reads back before the transaction ends.

Opening a case stores, after the case itself, a timeline event, an SLA clock, a text analysis,
a search document and an audit record. Each INSERT sent on its own costs a round trip to
PostgreSQL (client and server both wake up, parse, plan, answer) for a row the request never
reads again. Inside ``batch()``, ``execute_later()`` holds such a statement on the connection;
held statements go out in front of the next statement the connection sends (one multi-statement
query, results read back with ``nextset``), or together when the block ends. Any read in the
block therefore sees them, and their order (and so the order of their ids) is kept.

Only on PostgreSQL with client-side binding (Django's default for psycopg); elsewhere, and
outside a block, ``execute_later`` runs the statement at once. Every SAVEPOINT is a statement,
so nothing held crosses into a savepoint; a rollback to one drops what is held (it was taken
inside it), and an exception leaving the block dooms its transaction (see ``batch``).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, transaction


@dataclass
class _Held:
    sql: str
    params: list
    on_row: Callable[[tuple | None], None] | None


@dataclass
class _State:
    depth: int = 0
    items: list[_Held] = field(default_factory=list)


def _state(conn) -> _State | None:
    return getattr(conn, "_cskh_write_behind", None)


def _client_cursor(raw) -> bool:
    try:
        from psycopg import ClientCursor
    except ImportError:  # pragma: no cover - psycopg is a dependency on PostgreSQL
        return False
    return isinstance(raw, ClientCursor)


def _read_back(cursor, items: list[_Held]) -> None:
    """Hand each held statement its RETURNING row and move past its result."""
    for item in items:
        if item.on_row is not None:
            item.on_row(cursor.fetchone())
        cursor.nextset()


def _joined(conn, state: _State, items: list[_Held], raw, sql=None, params=None) -> str:
    """One multi-statement query with the values quoted in (as client-side binding does),
    ending with the caller's statement when given. Quoting each statement on its own keeps
    psycopg's per-statement template cache in use (a long query with many parameters would be
    re-parsed on every run). When quoting fails (a NUL byte in a text, say) nothing has reached
    the server: the held statements go back on hold, so none is lost from a transaction that a
    caller catching the error could still commit."""
    try:
        with conn.wrap_database_errors:
            parts = [raw.mogrify(i.sql, i.params) for i in items]
            if sql is not None:
                parts.append(sql if params is None else raw.mogrify(sql, params))
    except BaseException:
        state.items[:0] = items
        raise
    return ";\n".join(parts)


def _send(conn, state: _State, items: list[_Held]) -> None:
    if not items:
        return
    with conn.cursor() as cursor:
        raw = cursor.cursor
        cursor.execute(_joined(conn, state, items, raw))  # no parameters: sent as it is
        _read_back(raw, items)


def _wrapper(execute, sql, params, many, context):
    conn = context["connection"]
    state = _state(conn)
    if state is None or not state.items:
        return execute(sql, params, many, context)
    items, state.items = state.items, []
    if sql.startswith("ROLLBACK"):  # to a savepoint taken after them: they would be undone
        return execute(sql, params, many, context)  # (and may not run: the error before)
    raw = context["cursor"].cursor  # context["cursor"] is Django's wrapper
    if many or not _client_cursor(raw):
        _send(conn, state, items)
        return execute(sql, params, many, context)
    result = execute(_joined(conn, state, items, raw, sql, params), None, False, context)
    _read_back(raw, items)  # the cursor now stands on the caller's own result
    return result


@contextmanager
def batch(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Hold ``execute_later`` statements until the next statement or the end of the block.
    The block is atomic (without a savepoint of its own): an exception leaving it rolls back
    the enclosing transaction, so the held statements it drops were never to be kept."""
    conn = connections[using]
    with transaction.atomic(using=using, savepoint=False):
        if conn.vendor != "postgresql" or conn.features.uses_server_side_binding:
            yield  # nothing to hold: statements run at once (no multi-statement queries)
            return
        state = _state(conn)
        outer = state is None
        if outer:
            state = conn._cskh_write_behind = _State()
            conn.execute_wrappers.append(_wrapper)
        state.depth += 1
        try:
            yield
            if state.depth == 1:
                items, state.items = state.items, []
                _send(conn, state, items)
        except BaseException:
            state.items = []
            raise
        finally:
            state.depth -= 1
            if outer:
                conn.execute_wrappers.remove(_wrapper)
                del conn._cskh_write_behind


def execute_later(
    sql: str,
    params: list,
    *,
    on_row: Callable[[tuple | None], None] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Run a write now, or hold it when a ``batch`` is open on the connection. ``on_row`` gets
    the statement's first row (e.g. ``RETURNING id``) once it has run."""
    conn = connections[using]
    state = _state(conn)
    if state is not None:
        state.items.append(_Held(sql, list(params), on_row))
        return
    with transaction.mark_for_rollback_on_error(using), conn.cursor() as cursor:
        cursor.execute(sql, params)
        if on_row is not None:
            on_row(cursor.fetchone())
