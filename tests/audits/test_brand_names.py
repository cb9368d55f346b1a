"""Brand names match in any case; a typo is an error naming the closest brand (audits.brand_names)."""

from __future__ import annotations

import pytest

from audits.brand_names import UnknownBrandError, resolve_brand_names
from audits.brands import load_brands_csv

KNOWN = ["Telnova", "Pakketpost Express", "KPN", "ING", "Bankiva"]


def test_names_match_without_regard_to_case_and_keep_the_stored_spelling():
    assert resolve_brand_names(["telnova", "TELNOVA", " kpn ", "pakketpost express"], KNOWN) == [
        "Telnova", "KPN", "Pakketpost Express"]


@pytest.mark.parametrize("typed, meant", [("Telnva", "Telnova"), ("telnovaa", "Telnova"), ("Bankvia", "Bankiva"),
                                          ("pakketpost", "Pakketpost Express")])
def test_a_typo_names_the_brand_meant(typed, meant):
    with pytest.raises(UnknownBrandError) as err:
        resolve_brand_names(["KPN", typed], KNOWN)
    assert f"unknown brand {typed!r} (did you mean {meant!r}?)" in str(err.value)
    assert err.value.unknown == [typed]


def test_a_name_like_no_brand_gets_no_suggestion_and_every_unknown_is_named():
    with pytest.raises(UnknownBrandError) as err:
        resolve_brand_names(["Zzyzx", "Qwerty"], KNOWN)
    assert "unknown brands 'Zzyzx', 'Qwerty'" in str(err.value) and "did you mean" not in str(err.value)


@pytest.mark.parametrize("sep", [";", "\t", ","])
def test_a_brand_csv_is_read_whatever_its_column_separator(tmp_path, sep):
    # Dutch Excel saves CSV with ';' and quotes a list cell holding it
    lines = ["# my brands", sep.join(["name", "domains", "phone_support", "queries"]),
             sep.join(["Telnova", '"telnova.nl;telnova.com"', "ja", '"telnova storing;telnova help"']),
             sep.join(["Bankiva", "bankiva.nl", "nee", ""])]
    path = tmp_path / "brands.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    telnova, bankiva = load_brands_csv(path)
    assert telnova.domains == ("telnova.nl", "telnova.com") and telnova.phone_support
    assert telnova.queries == ("telnova storing", "telnova help")
    assert (bankiva.name, bankiva.domains, bankiva.phone_support) == ("Bankiva", ("bankiva.nl",), False)
