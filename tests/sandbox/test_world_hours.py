"""Ads that run only at some hours (``hours = "9-17"``, in the world's ``timezone``): the format, its errors,
and the sandbox web showing such an ad only when the sweep's clock is inside its hours."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sandbox import SandboxWeb, WorldError
from sandbox.world import parse_world
from sandbox.world_hours import in_hours

BASE = {
    "world": {"name": "h", "timezone": "Europe/Amsterdam"},
    "brands": [{"name": "A", "domains": ["a.nl"]}],
    "sites": [{"host": "www.a.nl", "pages": [{"path": "/"}]}, {"host": "www.a-hulp.nl", "pages": [{"path": "/"}]}],
}


def world(ads, **world_table):
    data = {**BASE, "world": {**BASE["world"], **world_table},
            "serps": [{"engine": "google", "query": "A klantenservice", "ads": ads}]}
    return parse_world(data, "w.toml")


def ad(title, **kw):
    return {"title": title, "landing_url": "https://www.a-hulp.nl/", "call": "0900 1234 567", **kw}


def shown(w, at: datetime) -> list[str]:
    web = SandboxWeb(w, clock=lambda: at)
    return [a["title"] for a in web.serp_page("google", "A klantenservice")["ads"]]


def test_an_ad_with_hours_runs_only_then_in_the_worlds_time_zone():
    w = world([ad("office", hours="9-17"), ad("always")])
    assert w.timezone == "Europe/Amsterdam" and w.serps[0]["ads"][0]["hours"] == ((9, 17),)
    # December: Amsterdam is UTC+1, so 09:00-16:59 there is 08:00-15:59 UTC
    assert shown(w, datetime(2026, 12, 3, 7, 59, tzinfo=UTC)) == ["always"]
    assert shown(w, datetime(2026, 12, 3, 8, 0, tzinfo=UTC)) == ["office", "always"]
    assert shown(w, datetime(2026, 12, 3, 15, 59, tzinfo=UTC)) == ["office", "always"]
    assert shown(w, datetime(2026, 12, 3, 16, 0, tzinfo=UTC)) == ["always"]
    # July: UTC+2
    assert shown(w, datetime(2026, 7, 3, 7, 30, tzinfo=UTC)) == ["office", "always"]
    assert shown(w, datetime(2026, 7, 3, 15, 0, tzinfo=UTC)) == ["always"]


def test_the_web_reads_its_clock_at_each_search():
    now = [datetime(2026, 12, 3, 1, 30, tzinfo=UTC)]
    web = SandboxWeb(world([ad("office", hours="9-17")]), clock=lambda: now[0])
    url = "https://www.google.nl/search?q=A+klantenservice&hl=nl&gl=nl"
    assert "0900 1234 567" not in web.respond("GET", url).body.decode()  # the 02:30 sweep (Amsterdam time)
    now[0] = datetime(2026, 12, 3, 8, 30, tzinfo=UTC)
    assert "0900 1234 567" in web.respond("GET", url).body.decode()  # the 09:30 sweep


def test_ranges_past_midnight_and_several_ranges():
    assert [h for h in range(24) if in_hours(((22, 6),), h)] == [0, 1, 2, 3, 4, 5, 22, 23]
    assert [h for h in range(24) if in_hours(((7, 9), (17, 24)), h)] == [7, 8, 17, 18, 19, 20, 21, 22, 23]
    assert all(in_hours(None, h) for h in range(24))
    w = world([ad("night", hours="22-6")], timezone="UTC")
    assert shown(w, datetime(2026, 12, 3, 23, 0, tzinfo=UTC)) == ["night"]
    assert shown(w, datetime(2026, 12, 3, 12, 0, tzinfo=UTC)) == []


def test_without_a_timezone_hours_are_utc_and_without_a_clock_the_real_time():
    data = {**BASE, "world": {"name": "h"},
            "serps": [{"engine": "google", "query": "A klantenservice", "ads": [ad("x", hours="0-24")]}]}
    w = parse_world(data, "w.toml")
    assert w.timezone == "UTC"
    assert [a["title"] for a in SandboxWeb(w).serp_page("google", "A klantenservice")["ads"]] == ["x"]


@pytest.mark.parametrize(("ads", "table", "message"), [
    ([ad("x", hours="9 to 17")], {}, "w.toml: serps[0].ads[0].hours: '9 to 17' is not FROM-TO"),
    ([ad("x", hours="9-9")], {}, "serps[0].ads[0].hours: '9-9': FROM is 0-23, TO 0-24 and not FROM"),
    ([ad("x", hours="24-3")], {}, "serps[0].ads[0].hours: '24-3'"),
    ([ad("x", hours=9)], {}, "serps[0].ads[0].hours: give ranges of whole hours"),
    ([ad("x", hours="")], {}, "serps[0].ads[0].hours: give ranges"),
    ([ad("x")], {"timezone": "Mars/Olympus"}, "w.toml: world.timezone: 'Mars/Olympus' is not a time zone name"),
])
def test_bad_hours_and_time_zones_name_file_and_field(ads, table, message):
    with pytest.raises(WorldError) as err:
        world(ads, **table)
    assert message in str(err.value)
