from __future__ import annotations

from pathlib import Path

import pytest

from audits.brands import (
    Brand,
    BrandFileError,
    default_brands_path,
    dump_brands_csv,
    load_brands_csv,
)

HEADER = "name,domains,contact_pages,phone_support,queries,category,note\n"


def write(tmp_path: Path, text: str, name: str = "brands.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def load_error(tmp_path: Path, text: str) -> BrandFileError:
    with pytest.raises(BrandFileError) as info:
        load_brands_csv(write(tmp_path, text))
    return info.value


def test_loads_and_normalises(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + "KPN,WWW.KPN.com;kpn.nl.,https://www.kpn.com/service/contact,ja,kpn storing,telecom,\n"
        + 'Google,google.com,,NEE,"google help; google support",technology,"no phone, ever"\n'
        + "Odido,odido.nl,,,,telecom,\n",
    )
    kpn, google, odido = load_brands_csv(path)
    assert kpn == Brand(
        name="KPN",
        domains=("kpn.com", "kpn.nl"),
        contact_pages=("https://www.kpn.com/service/contact",),
        phone_support=True,
        queries=("kpn storing",),
        category="telecom",
    )
    assert google.phone_support is False
    assert google.queries == ("google help", "google support")
    assert google.note == "no phone, ever"
    assert odido.phone_support is True  # empty cell: default yes


def test_optional_columns_may_be_absent(tmp_path: Path) -> None:
    (brand,) = load_brands_csv(write(tmp_path, "name,domains\nING,ing.nl\n"))
    assert brand == Brand(name="ING", domains=("ing.nl",))


def test_bom_and_comments_tolerated_and_line_numbers_count_them(tmp_path: Path) -> None:
    text = "# our brands\n" + HEADER + "# telecom\nKPN,kpn.com,,yes,,,\n\nBad,,,yes,,,\n"
    path = write(tmp_path, text, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(BrandFileError) as info:
        load_brands_csv(path)
    assert str(info.value).startswith("brands.csv:6: field 'domains': ")
    assert (info.value.line, info.value.field) == (6, "domains")
    path.write_text(text.replace("Bad,,", "Bad,bad.nl,"), encoding="utf-8-sig")
    assert [b.name for b in load_brands_csv(path)] == ["KPN", "Bad"]


def test_missing_required_column(tmp_path: Path) -> None:
    e = load_error(tmp_path, "name,category\nKPN,telecom\n")
    assert str(e) == "brands.csv:1: field 'domains': missing required column"


def test_empty_name(tmp_path: Path) -> None:
    e = load_error(tmp_path, HEADER + "KPN,kpn.com,,,,,\n  ,ing.nl,,,,,\n")
    assert str(e).startswith("brands.csv:3: field 'name': ")


@pytest.mark.parametrize("domains", ["kpn com", "https://kpn.com", "kpn", "kpn.com/contact", "-kpn.com"])
def test_bad_domain(tmp_path: Path, domains: str) -> None:
    e = load_error(tmp_path, HEADER + f'KPN,"{domains}",,,,,\n')
    assert str(e).startswith("brands.csv:2: field 'domains': ")
    assert e.path.name == "brands.csv"


def test_contact_page_not_http(tmp_path: Path) -> None:
    e = load_error(tmp_path, HEADER + "KPN,kpn.com,javascript:alert(1),,,,\n")
    assert str(e).startswith("brands.csv:2: field 'contact_pages': ")
    e = load_error(tmp_path, HEADER + "KPN,kpn.com,ftp://kpn.com/contact,,,,\n")
    assert e.field == "contact_pages"


def test_contact_page_not_on_brand_domains(tmp_path: Path) -> None:
    e = load_error(tmp_path, HEADER + "KPN,kpn.com,https://kpn.com.klantenservice.nl/contact,,,,\n")
    assert str(e).startswith("brands.csv:2: field 'contact_pages': ")
    assert "not on the brand's domains" in str(e)
    e = load_error(tmp_path, HEADER + "KPN,kpn.com,https://evilkpn.com/contact,,,,\n")
    assert e.field == "contact_pages"


def test_bad_phone_support(tmp_path: Path) -> None:
    e = load_error(tmp_path, HEADER + "KPN,kpn.com,,maybe,,,\n")
    assert str(e).startswith("brands.csv:2: field 'phone_support': ")


def test_duplicate_brand_name(tmp_path: Path) -> None:
    e = load_error(tmp_path, HEADER + "KPN,kpn.com,,,,,\nING,ing.nl,,,,,\nkpn,kpn.nl,,,,,\n")
    assert str(e).startswith("brands.csv:4: field 'name': duplicate brand 'kpn' (first on line 2)")


def test_dump_round_trips(tmp_path: Path) -> None:
    brands = [
        Brand("KPN", ("kpn.com",), ("https://www.kpn.com/contact",), True, ("kpn storing",), "telecom", ""),
        Brand("Google", ("google.com", "google.nl"), phone_support=False, note='says "no", really; ok'),
    ]
    path = dump_brands_csv(brands, tmp_path / "out" / "brands.csv")
    assert load_brands_csv(path) == brands


def test_brand_owns_subdomains_only() -> None:
    kpn = Brand("KPN", ("kpn.com",))
    assert kpn.owns("kpn.com") and kpn.owns("www.kpn.com") and kpn.owns("https://forum.kpn.com/x")
    assert not kpn.owns("evilkpn.com") and not kpn.owns("kpn.com.evil.nl") and not kpn.owns(None)


def test_default_list_loads() -> None:
    brands = {b.name: b for b in load_brands_csv(default_brands_path())}
    assert len(brands) >= 40
    assert brands["KPN"].domains == ("kpn.com",)
    assert brands["Odido"].domains == ("odido.nl", "t-mobile.nl")
    assert brands["Microsoft"].phone_support is False
    assert brands["Google"].phone_support is False
    assert brands["ING"].category == "bank"
