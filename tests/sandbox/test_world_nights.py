"""World files that change between nights: the format, its errors, and what each night shows."""

from __future__ import annotations

import pytest

from sandbox import DEFAULT_WORLD_PATH, SandboxWeb, WorldError, load_world
from sandbox.world import parse_world

BASE = {
    "world": {"name": "n", "nights": 2},
    "brands": [{"name": "A", "domains": ["a.nl"]}],
    "sites": [{"host": "www.a.nl", "pages": [{"path": "/"}]}, {"host": "www.a-hulp.nl", "pages": [{"path": "/"}]}],
}


def world(**extra):
    return parse_world({**BASE, **extra}, "w.toml")


def serp(**kw):
    return {"engine": "google", "query": "A klantenservice", **kw}


def test_entries_limited_to_nights_show_only_then():
    w = world(serps=[serp(nights=[1], organic=[{"title": "x", "url": "https://www.a.nl/"}]),
                     serp(nights=[2], status="captcha")])
    assert w.night(1).serp_for("google", "A klantenservice", "desktop")["status"] == "ok"
    assert w.night(2).serp_for("google", "A klantenservice", "desktop")["status"] == "captcha"
    # a world of several nights handed to the web as a whole shows its first night
    assert SandboxWeb(w).world.night_number == 1
    ads = [{"title": "t", "landing_url": "https://www.a-hulp.nl/", "nights": [2]},
           {"title": "u", "landing_url": "https://www.a-hulp.nl/"}]
    w = world(serps=[serp(ads=ads)])
    assert [a["title"] for a in w.night(1).serps[0]["ads"]] == ["u"]
    assert [a["title"] for a in w.night(2).serps[0]["ads"]] == ["t", "u"]


def test_expectations_per_night_and_lifecycle_entries():
    w = world(expect=[{"brand": "A", "number": "0900 1234 567", "nights": [2]},
                      {"brand": "A", "rule": "lookalike_domain", "domain": "a-hulp.nl"}],
              lifecycle=[{"night": 2, "brand": "A", "number": "0900 1234 567", "status": "new"}],
              triage=[{"after_night": 1, "brand": "A", "rule": "lookalike_domain", "domain": "a-hulp.nl",
                       "action": "dismiss", "reason": "ours"}])
    assert [e["rule"] for e in w.night(1).expected] == ["lookalike_domain"]
    assert [e["e164"] for e in w.night(2).expected] == ["+319001234567", ""]
    assert w.lifecycle[0]["e164"] == "+319001234567" and w.triage[0]["domain"] == "a-hulp.nl"


@pytest.mark.parametrize(("extra", "message"), [
    ({"serps": [serp(nights=[3])]}, "w.toml: serps[0].nights: night 3 is outside 1..2"),
    ({"serps": [serp(nights="1")]}, "serps[0].nights: must be a non-empty list"),
    ({"expect": [{"brand": "A", "rule": "lookalike_domain"}]}, "expect[0].domain: is required"),
    ({"expect": [{"brand": "A"}]}, "expect[0].number: is required"),
    ({"lifecycle": [{"night": 5, "brand": "A", "number": "0900 1234 567", "status": "new"}]},
     "lifecycle[0].night: must be a night from 1 to 2"),
    ({"lifecycle": [{"night": 1, "brand": "A", "number": "0900 1234 567", "status": "fine"}]},
     "lifecycle[0].status: must be one of new, recurring, gone, reopened"),
    ({"triage": [{"after_night": 1, "brand": "A", "number": "0900 1234 567", "action": "dismiss"}]},
     "triage[0].reason: is required"),
    ({"triage": [{"after_night": 1, "brand": "B", "number": "0900 1234 567", "action": "confirm"}]},
     "triage.brand: 'B' is not a brand"),
])
def test_bad_night_entries_name_file_and_field(extra, message):
    with pytest.raises(WorldError, match=message.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        world(**extra)


def test_the_default_world_plays_three_nights_with_a_lifecycle_to_check():
    w = load_world(DEFAULT_WORLD_PATH)
    assert w.nights == 3 and w.gone_after_nights == 1
    statuses = {c["status"] for c in w.lifecycle}
    assert statuses == {"new", "recurring", "gone", "reopened"}
    assert any(c.get("state") == "dismissed" for c in w.lifecycle)
    assert [t["action"] for t in w.triage] == ["dismiss"]
    with pytest.raises(ValueError):
        w.night(4)
