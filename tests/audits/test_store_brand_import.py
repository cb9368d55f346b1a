"""A brand import is one transaction: stopped part-way, it stores nothing."""

from __future__ import annotations

import pytest

from audits.brands import Brand
from audits.store import Store


def _brands(n: int) -> list[Brand]:
    return [Brand(name=f"Merk {i:05d}", domains=(f"merk{i}.nl",)) for i in range(n)]


def test_an_import_stopped_part_way_stores_none_of_its_brands(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    store.upsert_brands([Brand(name="KPN", domains=("kpn.com",))])
    # the database refuses the 1,500th row, as a full disk or a kill would stop it
    store.db.execute("create trigger stop before insert on brands when new.name = 'Merk 01500' "
                     "begin select raise(abort, 'stopped'); end")
    with pytest.raises(Exception, match="stopped"):
        store.upsert_brands(_brands(2_000))
    assert [b.name for b in store.brands()] == ["KPN"]


def test_a_large_import_stores_every_brand_and_reimports_idempotently(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    assert store.upsert_brands(_brands(3_000)) == 3_000
    assert store.upsert_brands(_brands(3_000)) == 3_000
    assert len(store.brands()) == 3_000
