"""The demo's nights: the analyst's triage between nights, and the lifecycle check against the world.

``[[triage]]`` actions are applied after their night (as an analyst would, with ``findings dismiss``
and friends) to the whole case (the ad) the entry names; ``[[lifecycle]]`` expectations are checked after
each night: the case's status, its state, and for a dismissed one that it is not listed as open (the
dismissal holds).  Each night also checks ``[[expect_answer]]`` (an AI answer recorded in its state:
unfinished is recorded, never "no answer") and ``[[expect_campaign]]`` (a number quoted for several brands
is one campaign).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from audits.store import Store
from audits.triage import change_state

DEMO_USER = "demo-analyst"
ACTION_STATES = {"confirm": "confirmed", "dismiss": "dismissed", "reported": "reported", "resolve": "resolved"}


@dataclass(frozen=True)
class LifecycleCheck:
    night: int
    brand: str
    what: str  # the number, or the rule and domain
    want: str
    got: str

    @property
    def ok(self) -> bool:
        return self.want == self.got

    def line(self) -> str:
        mark = "ok " if self.ok else "FAILED"
        return f"  {mark} night {self.night}: {self.brand} {self.what}: want {self.want}, got {self.got}"


def _what(ref: dict[str, Any]) -> str:
    return ref["domain"] if ref["rule"] == "lookalike_domain" else f"{ref['e164']} ({ref['rule']})"


def find(store: Store, ref: dict[str, Any]) -> dict[str, Any] | None:
    """The stored case a world entry names: brand, rule, and its number (or domain for lookalikes).

    A case is one ad (or result, or answer): the entry names one of its reasons, and the first case seen
    with that reason is the one (the world plants each number on one ad until it names a domain)."""
    for f in sorted(store.query_findings(brand=ref["brand"], rule=ref["rule"], include_dismissed=True),
                    key=lambda f: (f.get("first_seen") or "", f["id"])):  # fmt: skip
        if ref["rule"] == "lookalike_domain":
            if f["advertiser_domain"] == ref["domain"]:
                return f
            continue
        pairs = {(r.get("rule"), r.get("e164")) for r in f.get("reasons") or ()}
        if ((ref["rule"], ref["e164"]) in pairs or ref["e164"] in (f.get("numbers") or ())) and (
                not ref.get("domain") or f["advertiser_domain"] == ref["domain"]):  # fmt: skip
            return f
    return None


def apply_triage(store: Store, actions: list[dict[str, Any]], night: int) -> list[str]:
    """The world's triage actions due after ``night``; returns what was done (or could not be)."""
    done = []
    for a in actions:
        if a["after_night"] != night:
            continue
        f = find(store, a)
        if f is None:
            done.append(f"TRIAGE FAILED after night {night}: no finding {a['brand']} {_what(a)}")
            continue
        change_state(store, f["id"], ACTION_STATES[a["action"]], reason=a["reason"], platform=a["platform"],
                     by=DEMO_USER)
        done.append(f"after night {night}: {a['action']} {f['id']} {a['brand']} {_what(a)}"
                    + (f" ({a['reason']})" if a["reason"] else ""))
    return done


def check_lifecycle(store: Store, checks: list[dict[str, Any]], night: int) -> list[LifecycleCheck]:
    out = []
    open_ids = {f["id"] for f in store.query_findings()}  # what `findings list` shows
    for c in checks:
        if c["night"] != night:
            continue
        f = find(store, c)
        want = c["status"] + (f"/{c['state']}" if c.get("state") else "")
        if f is None:
            got = "absent"
        else:
            got = (f.get("status") or "?") + (f"/{f.get('state')}" if c.get("state") else "")
            if c.get("state") == "dismissed" and f["id"] in open_ids:
                got += " (listed as open)"
        out.append(LifecycleCheck(night, c["brand"], _what(c), want, got))
    return out


def check_answers(store: Store, run_id: str, expected: list[dict[str, Any]], devices: tuple[str, ...]) -> list[str]:
    """What of ``[[expect_answer]]`` the run did not record: '<engine> <device> <query>: want S, got T'."""
    got: dict[tuple[str, str, str], set[str]] = {}
    for r in store.results(run_id):
        if r.get("kind") == "ai_answer" and r.get("capture_kind") == "serp":
            got.setdefault((r["engine"], r["device"], r["query"].casefold()), set()).add(r.get("answer_state") or "")
    missed = []
    for e in expected:
        for device in ([e["device"]] if e.get("device") else devices):
            states = got.get((e["engine"], device, e["query"].casefold()), set())
            if e["state"] not in states:
                missed.append(f"{e['engine']} {device} {e['query']!r}: AI answer want {e['state']}, "
                              f"got {', '.join(sorted(states)) or 'no answer'}")
    return missed


def check_campaigns(store: Store, expected: list[dict[str, Any]]) -> list[str]:
    """What of ``[[expect_campaign]]`` is not one campaign: the number, and its brands' findings' campaigns."""
    out = []
    for e in expected:
        found = {f["brand"]: store.campaign_root(f["campaign"]) if f.get("campaign") else ""
                 for f in store.query_findings(include_dismissed=True)
                 if e["e164"] in (f.get("numbers") or [f["e164"]]) and f["brand"] in e["brands"]}
        if set(found) != set(e["brands"]) or len(set(found.values())) != 1 or "" in found.values():
            seen = ", ".join(f"{b}: {c or 'none'}" for b, c in sorted(found.items())) or "no finding"
            out.append(f"{e['raw']} for {', '.join(e['brands'])}: want one campaign, got {seen}")
    return out
