"""Google's grouped sponsored results (world markup variant "grouped"; rolled out from October 2025), in Dutch.

As Google described it and the press showed it: the text ads of a placement stand together under one
"Gesponsorde resultaten" ("Sponsored results") heading that stays in view while scrolling, at most four to a
group, with no "Gesponsord" label on each ad; a "Gesponsorde resultaten verbergen" button below the group
collapses it.  A top group stands where the ads always stood (``#tads``); a bottom group sits inside the
organic results container after the last result.  Each ad keeps its ad markup (``div[data-text-ad]``) and its
click URL.
"""

from __future__ import annotations

from sandbox.markup import esc, token

HEADING = "Gesponsorde resultaten"
HIDE = "Gesponsorde resultaten verbergen"
PER_GROUP = 4
CSS = (".sgrp-h{position:sticky;top:0;background:#fff;font-size:14px;font-weight:bold;padding:8px 0}"
       ".sgrp-hide{border:1px solid #dadce0;border-radius:18px;background:#fff;padding:6px 16px;margin:0 0 24px}")


def groups(ads_html: list[str]) -> str:
    """The rendered ads in groups of at most :data:`PER_GROUP`, each under its heading with its hide button."""
    out = [f"<style>{CSS}</style>"]
    for start in range(0, len(ads_html), PER_GROUP):
        members = ads_html[start:start + PER_GROUP]
        gid = "sgrp-" + token("group", *members, length=8)
        out.append(
            f'<div class="sgrp" role="region" aria-label="{esc(HEADING)}">'
            f'<div class="sgrp-h" role="heading" aria-level="2"><span>{esc(HEADING)}</span></div>'
            f'<div id="{gid}" class="sgrp-ads">{"".join(members)}</div>'
            f'<button class="sgrp-hide" type="button" aria-expanded="true" aria-controls="{gid}" '
            f"onclick=\"var g=document.getElementById('{gid}');g.hidden=!g.hidden;"
            f"this.setAttribute('aria-expanded',String(!g.hidden))\">{esc(HIDE)}</button></div>"
        )
    return "".join(out)
