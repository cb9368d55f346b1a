"""The store's connection: opening (WAL, schema migration), reads, upserts and transactions.

Every repository of :mod:`audits.store` talks to SQLite through one :class:`StoreDB`.  The connection
runs in autocommit mode: a statement outside :meth:`StoreDB.transaction` is its own transaction, and
a block inside one is committed whole or not at all (nested blocks are savepoints of the outer one).
Before anything is committed to a file, the file is checked to be still the one opened
(:mod:`audits.store_file`: a database deleted or replaced mid-run is a clear error, not a silent loss).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from audits.schema import TABLES, migrate
from audits.store_file import DatabaseFile, check_header, check_tables, open_failure

# Milliseconds a writer waits for a reader (Datasette, an analyst's query) before "database is locked".
BUSY_TIMEOUT_MS = 60_000


class StoreDB:
    """``StoreDB(path_or_db)``: a file path (parent dirs created), ``":memory:"`` or a sqlite-utils Database.

    Opening migrates the file to the current schema (:func:`audits.schema.migrate`); a file written by a
    newer serpaudit raises :class:`audits.schema.SchemaError` naming it, and is left untouched, as is a
    file that is not a SQLite database or is another program's (:class:`audits.store_file.DatabaseFileError`).
    """

    def __init__(self, path_or_db: str | Path | sqlite_utils.Database) -> None:
        self.file: DatabaseFile | None = None
        self._depth = 0  # transaction() blocks open: the outermost one checks the file before it commits
        if isinstance(path_or_db, sqlite_utils.Database):
            self.db, name = path_or_db, "the database"
        elif str(path_or_db) == ":memory:":
            self.db, name = sqlite_utils.Database(memory=True), ":memory:"
        else:
            path = Path(path_or_db)
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists():
                check_header(path)
            self.db, name = sqlite_utils.Database(path), str(path)
            check_tables(self.db.conn, path, TABLES)
            self.file = DatabaseFile(path, self._copy_to, self.db.conn.close)
        self.db.conn.isolation_level = None  # no implicit transactions: only transaction() groups writes
        if not self.db.memory:
            try:
                self._tune_file()
            except sqlite3.DatabaseError as exc:
                raise open_failure(Path(name), exc) from exc
        migrate(self.db.conn, name)

    def _tune_file(self) -> None:
        """WAL: readers never block the night's writes, and a killed writer leaves a consistent file."""
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if self.pragma("journal_mode").lower() != "wal":
            self.db.execute("PRAGMA journal_mode = wal")

    def pragma(self, name: str) -> str:
        return str(self.db.execute(f"PRAGMA {name}").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Writes inside commit together or not at all; an inner block is a savepoint of the outer one.

        The outermost block commits only to the file it opened (:meth:`verify_file`); else it rolls back.
        """
        self._depth += 1
        how = None
        try:
            with self.db.atomic():
                yield
                if self._depth == 1 and self.file is not None:
                    how = self.file.probe()
                    if how is not None:
                        raise _FileLost  # rolled back first: SQLite copies no database it is writing
        except _FileLost:
            assert self.file is not None and how is not None
            raise self.file.lost(how) from None
        finally:
            self._depth -= 1

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """The reads inside see one state of the database, whatever other processes write meanwhile (one read
        transaction; in WAL no writer waits for it).  Nothing inside may write: it would fail, loudly."""
        if self.db.conn.in_transaction:  # inside a transaction already: its reads are one state
            yield
            return
        self.db.execute("PRAGMA query_only = ON")
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            try:
                self.db.execute("COMMIT")
            finally:
                self.db.execute("PRAGMA query_only = OFF")

    def verify_file(self) -> None:
        """Raise :class:`audits.store_file.DatabaseFileError` when the file was deleted or replaced since
        it was opened (its content is first copied beside it, from this connection)."""
        if self.file is not None:
            self.file.verify()

    def _copy_to(self, dest: Path) -> None:
        target = sqlite3.connect(dest)
        try:
            self.db.conn.backup(target)
        finally:
            target.close()

    # -- reads --------------------------------------------------------------------------------
    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, list(params)))

    def one(self, sql: str, params: Iterable[Any] = ()) -> dict[str, Any] | None:
        rows = self.rows(sql, params)
        return rows[0] if rows else None

    def get(self, table: str, key: str) -> dict[str, Any] | None:
        """The row of ``table`` with primary key ``key``."""
        return self.one(f"select * from [{table}] where [{TABLES[table].pk}] = ?", [key])

    # -- writes -------------------------------------------------------------------------------
    def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement; returns the number of rows it changed."""
        if not self._depth:
            self.verify_file()
        return self.db.conn.execute(sql, list(params)).rowcount or 0

    def put(self, table: str, row: Mapping[str, Any]) -> None:
        """Upsert one row in plain SQL: the columns given are set, the others kept.

        No schema look-up and no commit per row: inside :meth:`transaction` a whole night costs one fsync.
        Lists, tuples and sets are stored as JSON text.
        """
        if not self._depth:
            self.verify_file()
        pk = TABLES[table].pk
        cols = list(row)
        names = ", ".join(f"[{c}]" for c in cols)
        updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c != pk)
        action = f"do update set {updates}" if updates else "do nothing"
        self.db.conn.execute(f"insert into [{table}] ({names}) values ({', '.join('?' * len(cols))})"
                             f" on conflict([{pk}]) {action}", [_cell(row[c]) for c in cols])

    def put_all(self, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """Upsert many rows in one transaction; returns how many."""
        n = 0
        with self.transaction():
            for row in rows:
                self.put(table, row)
                n += 1
        return n

    def close(self) -> None:
        self.db.conn.close()
        if self.file is not None:
            self.file.release()  # after the connection: the held descriptor keeps its locks until then


class _FileLost(Exception):
    """Inside :meth:`StoreDB.transaction`: the file went, roll the block back before saying so."""


def _cell(value: Any) -> Any:
    return json.dumps(list(value), ensure_ascii=False) if isinstance(value, list | tuple | set) else value


class Repository:
    """One aggregate's reads and writes over a :class:`StoreDB`; :class:`audits.store.Store` combines them."""

    def __init__(self, sql: StoreDB) -> None:
        self.sql = sql
