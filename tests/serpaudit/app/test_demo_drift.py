"""In Chromium: Google's ad markup renamed overnight.  The capture is `drift`, never clean; the demo exits 3 and
the report says why."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from audits.store import Store
from serpaudit.cli import app
from tests.support.sandbox_runs import skip_without_chromium

pytestmark = pytest.mark.browser

WORLD = """
[world]
name = "drifted"
region = "NL"
language = "nl"

[crawl]
engines = ["google"]
devices = ["desktop"]
query_templates = ["{brand} klantenservice"]

[engines.google]
markup = "drifted"   # ids of the ad containers removed, data-text-ad renamed

[[brands]]
name = "Telnova"
domains = ["telnova.nl"]
contact_pages = ["https://www.telnova.nl/klantenservice"]

[[sites]]
host = "www.telnova.nl"
  [[sites.pages]]
  path = "/klantenservice"
  title = "Klantenservice | Telnova"
  body = "<p>Bel gratis 0800 023 4567</p>"

[[sites]]
host = "www.telnova-support.nl"
  [[sites.pages]]
  path = "/"
  title = "Telnova Support"
  body = "<p>Bel direct: 0900 1234 567</p>"

[[serps]]
engine = "google"
query = "Telnova klantenservice"
  [[serps.ads]]
  placement = "top"
  title = "Telnova Klantenservice - Direct Een Medewerker"
  landing_url = "https://www.telnova-support.nl/"
  description = "Onze medewerkers staan dag en nacht voor je klaar."
  call = "0900 1234 567"

[[expect]]
brand = "Telnova"
number = "0900 1234 567"
verdict = "finding"
why = "premium-rate number in a Google ad"
"""


def test_drifted_markup_makes_the_demo_incomplete_and_the_report_says_why(tmp_path):
    skip_without_chromium()
    world = tmp_path / "drifted.toml"
    world.write_text(WORLD, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["demo", "--world", str(world), "--out", str(out)])
    assert result.exit_code == 3, result.output
    assert "not audited (drift): google desktop 'Telnova klantenservice': Google markup changed? 1 ad label found, " \
           "0 ads parsed" in result.output
    db = next(out.rglob("*.sqlite"), None) or next(out.rglob("*.db"))
    store = Store(db)
    captures = [c for c in store.captures(kind="serp") if c["engine"] == "google" and c["device"] == "desktop"]
    assert [c["status"] for c in captures] == ["drift"]
    assert "numbers in ads not parsed: +319001234567" in captures[0]["error"]
    assert captures[0]["html_path"] and captures[0]["screenshot_path"]  # the evidence is kept
    assert store.findings() == [] or all(f["e164"] != "+319001234567" for f in store.findings())
    assert store.run(captures[0]["run_id"])["status"] == "incomplete"
    report = next(out.rglob("report.html")).read_text(encoding="utf-8")
    assert "NOT audited" in report and "drift" in report and "Google markup changed? 1 ad label found" in report
