"""A database deleted or replaced under the store (issue 20, item 8): found before anything more is committed,
named in a clear error, and what the open file held saved beside it; another program's file is never touched."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from audits import store_db
from audits.store import Store
from audits.store_file import DatabaseFileError


def _store_with_runs(path, n=3):
    store = Store(path)
    for i in range(n):
        store.start_run("run", f"2026-01-0{i + 1}T02:00:00+00:00")
    return store


def _runs_in(path):
    store = Store(path)
    try:
        return len(store.runs())
    finally:
        store.close()


def _other_store(path):
    other = _store_with_runs(path.with_name("other.db"), 1)
    other.close()
    return path.with_name("other.db")


def _garbage(path):
    spare = path.with_name("garbage.bin")
    spare.write_bytes(b"not a database\n" * 300)
    return spare


@pytest.mark.parametrize("swap", ["deleted", "another store moved in", "garbage moved in", "garbage written in place"])
def test_a_database_lost_mid_run_stops_the_next_write_and_keeps_its_content_beside_it(tmp_path, swap):
    db = tmp_path / "serpaudit.db"
    store = _store_with_runs(db)
    replacement = None
    if swap == "deleted":
        db.unlink()
    elif swap == "another store moved in":
        os.replace(_other_store(db), db)
    elif swap == "garbage moved in":
        os.replace(_garbage(db), db)
    else:
        with open(db, "r+b") as fh:
            fh.write(b"x" * 100)
    if db.exists():
        replacement = db.read_bytes()

    with pytest.raises(DatabaseFileError) as err:
        store.start_run("run", "2026-01-09T02:00:00+00:00")
    message = str(err.value)
    assert message.startswith(f"{db}: the database was ") and "while serpaudit was using it" in message
    assert err.value.while_open
    lost = [p for p in tmp_path.iterdir() if p.name.startswith("serpaudit.db.lost-")]
    assert len(lost) == 1 and str(lost[0]) in message
    assert _runs_in(lost[0]) == 3  # everything committed before the loss, nothing after
    with pytest.raises(DatabaseFileError):  # and the store stays stopped: no write lands anywhere
        store.start_run("run", "2026-01-10T02:00:00+00:00")
    assert len([p for p in tmp_path.iterdir() if ".lost-" in p.name]) == 1  # saved once
    # what is at the path now is untouched: not one page of the lost file's log replayed onto it
    assert not (tmp_path / "serpaudit.db-wal").exists()
    if swap == "another store moved in":
        assert db.read_bytes() == replacement and _runs_in(db) == 1
    elif replacement is not None and swap == "garbage moved in":
        assert db.read_bytes() == replacement


def test_a_transaction_is_rolled_back_not_committed_when_the_file_went_meanwhile(tmp_path):
    db = tmp_path / "serpaudit.db"
    store = _store_with_runs(db, 1)
    with pytest.raises(DatabaseFileError, match="deleted"):
        with store.transaction():
            store.start_run("run", "2026-01-05T02:00:00+00:00")
            db.unlink()
    lost = next(tmp_path.glob("serpaudit.db.lost-*"))
    assert _runs_in(lost) == 1


def test_garbage_or_another_programs_database_is_refused_at_open_and_left_as_it_is(tmp_path):
    garbage = _garbage(tmp_path / "x.db")
    before = garbage.read_bytes()
    with pytest.raises(DatabaseFileError, match=f"{garbage}: not a SQLite database"):
        Store(garbage)
    assert garbage.read_bytes() == before
    foreign = tmp_path / "invoices.db"
    conn = sqlite3.connect(foreign)
    conn.execute("create table invoices (id integer primary key, amount text)")
    conn.commit()
    conn.close()
    before = foreign.read_bytes()
    with pytest.raises(DatabaseFileError, match="a SQLite database, but not serpaudit's \\(its tables: invoices\\)"):
        Store(foreign)
    assert foreign.read_bytes() == before  # no serpaudit table added to it


def test_a_database_locked_by_another_process_is_said_to_be_locked_not_damaged(tmp_path, monkeypatch):
    path = tmp_path / "db.sqlite"
    first = Store(path)
    run_id = first.start_run("crawl", "2026-12-06T01:00:00+00:00")
    first.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("pragma journal_mode = delete")  # e.g. restored by a tool that left it out of WAL
    other.execute("begin immediate")  # a writer of another program, mid-transaction
    other.execute("insert into runs (id, command, started_at) values ('r2', 'x', 'y')")
    before = path.read_bytes()
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 50)
    with pytest.raises(DatabaseFileError, match=f"{path}: locked by another program or process") as raised:
        Store(path)
    assert "not a SQLite database" not in str(raised.value)
    other.execute("rollback")
    other.close()
    assert path.read_bytes() == before
    assert [r["id"] for r in Store(path).runs()] == [run_id]  # nothing lost, and it opens once the lock is gone


def test_an_empty_file_or_a_new_path_is_a_new_database(tmp_path):
    (tmp_path / "empty.db").touch()
    assert Store(tmp_path / "empty.db").runs() == []
    assert Store(tmp_path / "sub" / "new.db").runs() == []


def _runs_seen_by_another_process(path):
    code = "import sys; from audits.store import Store; s = Store(sys.argv[1]); print(len(s.runs())); s.close()"
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_a_reader_in_another_process_never_loses_what_the_night_writes_after_it(tmp_path):
    # the night's store checks its file before each write; an analyst's `serpaudit findings` (or the desk)
    # opens and closes the store meanwhile: the night's later writes must still land in the file
    db = tmp_path / "serpaudit.db"
    night = _store_with_runs(db, 1)
    assert _runs_seen_by_another_process(db) == 1
    night.start_run("run", "2026-01-05T02:00:00+00:00")
    night.start_run("run", "2026-01-06T02:00:00+00:00")
    assert _runs_seen_by_another_process(db) == 3
    night.close()
    assert _runs_in(db) == 3
