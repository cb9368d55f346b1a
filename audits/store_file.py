"""The database file under the store: is it there, is it serpaudit's, and is it still the file that was opened.

SQLite does not notice when its file is deleted or replaced under an open connection: in WAL mode every
write still succeeds, into a file nobody can open any more, and all of it is gone when the process ends.
So the store checks the file itself (:class:`DatabaseFile`): once when it opens it (there, SQLite, not some
other program's database), and again before every write it commits (the same inode at the same path, still
a SQLite file). A file that fails a check raises :class:`DatabaseFileError` naming it; a file lost while
open is first copied from the open connection to a file beside it, so what the run stored is not lost.

The header is read through a descriptor kept open as long as a store of this process uses the file
(:func:`held`), never one opened and closed for the read: closing *any* descriptor of a file drops every POSIX
lock the process holds on it, SQLite's included, and then a reader in another process (``serpaudit findings``,
the desk, a test polling the store) that closes its connection takes itself for the last one and deletes the
write-ahead log under the running night: everything the night commits after that goes into a deleted file.

Not caught: another SQLite file copied *over* the open one in place (``cp other.db serpaudit.db`` keeps the
inode and a valid header); ``mv`` or ``rm`` then a new file, and garbage written in place, are.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
# SQLite's primary result codes (sqlite3.h), for open_failure
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT = 3, 5, 6, 8, 10, 11
SQLITE_CANTOPEN, SQLITE_NOTADB = 14, 26

_HELD: dict[tuple[int, int], list[int]] = {}  # (st_dev, st_ino) -> [descriptor, users in this process]
_HELD_LOCK = threading.Lock()


class DatabaseFileError(Exception):
    """The database file is missing, is not a SQLite database, is another program's, or was deleted or
    replaced while it was open (``while_open``); the message names the file and what to do."""

    def __init__(self, path: Path, message: str, *, while_open: bool = False) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.while_open = while_open


def missing(path: Path) -> DatabaseFileError:
    return DatabaseFileError(path, "no database there (deleted or moved?); `serpaudit init` creates a new, "
                             "empty one, or point `database` in the settings at the right file")


def not_sqlite(path: Path) -> DatabaseFileError:
    return DatabaseFileError(path, "not a SQLite database (replaced or damaged?); left as it is. Restore it "
                             "from a backup, or point `database` in the settings at the right file")


def open_failure(path: Path, exc: sqlite3.DatabaseError) -> DatabaseFileError:
    """What SQLite's refusal to set a file up means for the user: only a file SQLite cannot read as a database
    (SQLITE_NOTADB, SQLITE_CORRUPT) is "not a SQLite database"; a lock held too long or a file it may not
    write is said as such, with SQLite's own words (sqlite3's error code, Python 3.11+)."""
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF  # the primary code; extended codes add high bits
    if code in (SQLITE_NOTADB, SQLITE_CORRUPT):
        return not_sqlite(path)
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return DatabaseFileError(path, f"locked by another program or process for too long ({exc}); left as it "
                                 "is. Try again when it has finished")
    if code in (SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_IOERR):
        return DatabaseFileError(path, f"cannot be opened for writing ({exc}); left as it is. Check the file's "
                                 "and its folder's permissions and free space")
    return DatabaseFileError(path, f"SQLite refused to open it ({exc}); left as it is")


def require_existing(path: Path) -> None:
    """Raise :class:`DatabaseFileError` unless ``path`` is a file (the commands that read the store never
    create one: a deleted database must not come back empty and call the night clean)."""
    if not path.is_file():
        raise missing(path)


def hold(path: Path) -> tuple[int, int]:
    """A read-only descriptor on the file at ``path``, shared by every user of that file in this process; the
    key to :func:`header` and :func:`let_go` (the last user's ``let_go`` closes it)."""
    st = os.stat(path)
    key = (st.st_dev, st.st_ino)
    with _HELD_LOCK:
        if key in _HELD:  # held already: a second descriptor, once closed, would drop the process's locks
            _HELD[key][1] += 1
            return key
        fd = os.open(path, os.O_RDONLY)  # nothing of this process uses the file yet: no lock to drop
        st = os.fstat(fd)
        key = (st.st_dev, st.st_ino)
        _HELD[key] = [fd, 1]
        return key


def let_go(key: tuple[int, int]) -> None:
    with _HELD_LOCK:
        held = _HELD.get(key)
        if held is None:
            return
        held[1] -= 1
        if held[1] > 0:
            return
        del _HELD[key]
    os.close(held[0])


def header(key: tuple[int, int]) -> bytes:
    with _HELD_LOCK:
        fd = _HELD[key][0]
        return os.pread(fd, len(SQLITE_MAGIC), 0)


def check_header(path: Path) -> None:
    """An empty file is a new database; anything else must start as a SQLite file does."""
    key = hold(path)
    try:
        head = header(key)
    finally:
        let_go(key)
    if head and head != SQLITE_MAGIC:
        raise not_sqlite(path)


def check_tables(conn: sqlite3.Connection, path: Path, own: Iterable[str]) -> None:
    """Refuse another program's SQLite database (tables, none of them ``own``: serpaudit's, of any version),
    before the store adds its tables to it."""
    try:
        names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise open_failure(path, exc) from exc
    names = {n for n in names if not n.startswith("sqlite_")}
    if names and not names & set(own):
        shown = ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
        raise DatabaseFileError(path, f"a SQLite database, but not serpaudit's (its tables: {shown}); left as "
                                "it is. Point `database` in the settings at serpaudit's file")


class DatabaseFile:
    """The file a connection opened: ``verify()`` raises :class:`DatabaseFileError` once it is not there
    any more, is another file, or is no longer a SQLite file. Then ``rescue(dest)`` copies the open
    database beside it and ``close()`` closes the connection: nothing more is written through it."""

    def __init__(self, path: Path, rescue: Callable[[Path], None], close: Callable[[], None]) -> None:
        self.path = path
        self._rescue = rescue
        self._close = close
        self._identity = self._stat()
        self._lost_error: DatabaseFileError | None = None  # once lost, every later write gets the same error
        self._wal = self._stat("-wal")
        key = hold(path)  # kept open until the connection closes: see the module's docstring
        self.release = weakref.finalize(self, let_go, key)  # at most once: at close(), or when forgotten
        self._key = key

    def _stat(self, suffix: str = "") -> tuple[int, int] | None:
        try:
            st = os.stat(f"{self.path}{suffix}")
        except FileNotFoundError:
            return None
        return st.st_dev, st.st_ino

    def verify(self) -> None:
        """Raise :class:`DatabaseFileError` (the content saved first) if the file is lost; never inside an open
        transaction (SQLite cannot copy a database its own connection is writing): roll back, then ``lost``."""
        how = self.probe()
        if how is not None:
            raise self.lost(how)

    def probe(self) -> str | None:
        """How the file was lost (``"deleted"``...), or None while it is the one opened."""
        if self._lost_error is not None:
            return "lost"
        now = self._stat()
        if now is None:
            return "deleted"
        if now != self._identity:
            return "replaced by another file"
        try:
            head = header(self._key) if self._key == now else b""
            if head and head != SQLITE_MAGIC:
                return "overwritten in place (it is no longer a SQLite database)"
        except OSError as exc:
            raise DatabaseFileError(self.path, f"cannot be read any more ({exc.strerror or exc})",
                                    while_open=True) from exc
        self._wal = self._stat("-wal")  # this connection's write-ahead log, as long as the file is its own
        return None

    def lost(self, how: str) -> DatabaseFileError:
        """The error for a file lost ``how``: the first time, its content is copied beside it from this
        connection, and the connection closed; every later write gets the same error."""
        if self._lost_error is not None:
            return self._lost_error
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = self.path.with_name(f"{self.path.name}.lost-{stamp}")
        try:
            self._rescue(kept)
            saved = (f"what it held, this run's work included, is saved as {kept} (rename it back to keep it; "
                     "the run resumes from there)")
        except Exception as exc:  # a full or vanished folder: say so, the error itself matters more
            saved = f"what this run stored could not be saved ({exc}) and is lost"
        self._drop_log()
        self._lost_error = DatabaseFileError(self.path, f"the database was {how} while serpaudit was using it; "
                                             f"nothing more is written to it. {saved}", while_open=True)
        return self._lost_error

    def _drop_log(self) -> None:
        """Close the connection and remove its write-ahead log from beside the path. SQLite keeps the log of a
        file that moved (it cannot fold it in): left there, the next opening would replay this file's pages
        onto whatever file is now at the path. Only this connection's own log (same inode) is removed."""
        try:
            self._close()
        except Exception:  # noqa: S110 (a connection already closed; the error raised next is what matters)
            pass
        self.release()
        if self._wal is not None and self._stat("-wal") == self._wal:
            for suffix in ("-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
