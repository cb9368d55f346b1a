"""AI answers on the sandbox result pages (a planted ``[serps.ai_answer]``), in Dutch.

- Google's AI Overview, modelled on the saved pt-BR page and gitronald/WebSearcher's description of the
  current layout: ``div.YzCcne`` with an ``h1`` "AI-overzicht", the hidden "kan nu niet" / "niet beschikbaar"
  messages Google ships on every such page, the body ``div.mZJni`` (paragraphs ``div.Y3BBE``, section headings
  ``div.otQkpb``, lists ``ul.KsbFXc``), the sources tray ``ul.bTFeG > li.CyMdWb`` and, when collapsed, a
  "Meer weergeven" ``div[role=button][aria-expanded=false]`` (the rest of the answer appears on a click);
- Bing's Copilot answer (``li.b_ans > div#b_copilot_answer.b_cs_canvas``) and DuckDuckGo's Search Assist
  (``div.module--assist``), after public descriptions of them.

An answer with ``late_ms`` is written by a script that long after the page loaded (until then the panel shows
a progress bar: what a capture that did not wait would record as "unfinished"); ``state = "unfinished"``
never finishes; ``state = "declined"`` shows the decline message.  The answer's text: paragraphs separated by
blank lines, ``## heading`` for a section heading, ``- item`` for a list item.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.markup import esc, token


@dataclass(frozen=True)
class _Look:
    para: str  # the element and class of a paragraph: 'div class="Y3BBE"'
    heading: str
    list: str
    more: str  # the expand control's label
    less: str


GOOGLE = _Look('div class="Y3BBE"', 'div class="otQkpb" role="heading" aria-level="3"', 'ul class="KsbFXc"',
               "Meer weergeven", "Minder weergeven")
PLAIN = _Look("p", "h3", "ul", "Meer weergeven", "Minder weergeven")
GOOGLE_DECLINED = "Een AI-overzicht is niet beschikbaar voor deze zoekopdracht"
GOOGLE_HIDDEN = ('<span class="YWpX0d" style="display:none"><span>Kan op dit moment geen AI-overzicht genereren. '
                 f'Probeer het later opnieuw.</span><span style="display:none">{GOOGLE_DECLINED}</span></span>')
PROGRESS = ('<div class="{cls}" role="progressbar" aria-label="Wordt geladen"><div style="width:100%;height:12px;'
            'background:#e8eaed;margin:6px 0"></div><div style="width:80%;height:12px;background:#e8eaed"></div></div>')


def _blocks(text: str, look: _Look) -> list[str]:
    """The answer's text as HTML blocks, one per paragraph, heading or list."""
    out: list[str] = []
    items: list[str] = []
    tag = look.list.split()[0]
    for chunk in [c.strip() for c in text.replace("\r", "").split("\n")]:
        if chunk.startswith("- "):
            items.append(f"<li>{esc(chunk[2:])}</li>")
            continue
        if items:
            out.append(f"<{look.list}>{''.join(items)}</{tag}>")
            items = []
        if chunk.startswith("## "):
            out.append(f"<{look.heading}>{esc(chunk[3:])}</{look.heading.split()[0]}>")
        elif chunk:
            out.append(f"<{look.para}>{esc(chunk)}</{look.para.split()[0]}>")
    if items:
        out.append(f"<{look.list}>{''.join(items)}</{tag}>")
    return out


def _body(answer: dict[str, Any], look: _Look, aid: str) -> str:
    """The body, collapsed behind its expand button when asked (the rest is hidden until the click)."""
    blocks = _blocks(answer["text"], look)
    if not answer["collapsed"] or len(blocks) < 2:
        return "".join(blocks)
    button = (f'<div role="button" class="zNsLfb" tabindex="0" aria-expanded="false" aria-controls="{aid}-more" '
              f"onclick=\"var m=document.getElementById('{aid}-more');m.hidden=false;"
              f"this.setAttribute('aria-expanded','true');this.firstChild.textContent='{look.less}'\">"
              f"<span>{look.more}</span></div>")
    return f'{blocks[0]}<div id="{aid}-more" hidden>{"".join(blocks[1:])}</div>{button}'


def _late(inner: str, aid: str, late_ms: int, progress: str) -> str:
    """``inner`` written by a script ``late_ms`` after load; a progress bar until then."""
    return (f'<div id="{aid}-slot">{progress}</div><template id="{aid}-tpl">{inner}</template>'
            f"<script>setTimeout(function(){{var s=document.getElementById('{aid}-slot');"
            f"s.replaceChildren(document.getElementById('{aid}-tpl').content.cloneNode(true));"
            f"s.closest('[aria-busy]').setAttribute('aria-busy','false')}},{int(late_ms)});</script>")


def _content(answer: dict[str, Any], look: _Look, aid: str, body_cls: str, sources: str, declined: str,
             progress: str) -> str:
    if answer["state"] == "declined":
        return f"<div>{esc(declined)}</div>"
    if answer["state"] == "unfinished":
        return progress
    inner = f'<div class="{body_cls}">{_body(answer, look, aid)}</div>{sources}'
    return _late(inner, aid, answer["late_ms"], progress) if answer["late_ms"] else inner


def google_overview(answer: dict[str, Any], query: str) -> str:
    aid = "aio-" + token("aio", query, length=8)
    tray = "".join(f'<li class="CyMdWb"><a href="{esc(s["url"])}" aria-label="{esc(s["title"])}">'
                   f'<span class="Z1JFYc">{esc(s["title"])}</span></a></li>' for s in answer["sources"])
    tray = f'<ul class="bTFeG">{tray}</ul>' if tray else ""
    busy = "true" if answer["state"] == "unfinished" or answer["late_ms"] else "false"
    content = _content(answer, GOOGLE, aid, "mZJni", tray, GOOGLE_DECLINED, PROGRESS.format(cls="hoqQCc"))
    return (f'<div class="YzCcne" data-mcpr="" id="{aid}"><div class="q8sySb"><h1 class="VW3apb">AI-overzicht</h1>'
            f'<div jscontroller="EYwa3d" data-aim="1" aria-busy="{busy}">{GOOGLE_HIDDEN}'
            '<div role="heading" aria-level="2" class="Fzsovc"><strong>AI-overzicht</strong></div>'
            '<a class="NOo3C" href="https://support.google.com/websearch?p=ai_overviews&amp;hl=nl">Meer informatie'
            f"</a>{content}</div></div></div>")


def bing_copilot(answer: dict[str, Any], query: str) -> str:
    aid = "cop-" + token("copilot", query, length=8)
    cites = "".join(f'<a href="{esc(s["url"])}" aria-label="{esc(s["title"])}">{i}</a>'
                    for i, s in enumerate(answer["sources"], start=1))
    cites = f'<div class="b_cs_citations">Bronnen: {cites}</div>' if cites else ""
    busy = "true" if answer["state"] == "unfinished" or answer["late_ms"] else "false"
    content = _content(answer, PLAIN, aid, "b_cs_text", cites, "Copilot kan deze vraag niet beantwoorden.",
                       PROGRESS.format(cls="b_cs_loading"))
    return (f'<li class="b_ans b_top" data-tag="copilot.answer"><div id="b_copilot_answer" class="b_cs_canvas" '
            f'aria-busy="{busy}"><h2 class="b_cs_title">Copilot</h2>{content}<div class="b_cs_disclaimer">Door AI '
            "gegenereerde inhoud kan fouten bevatten.</div></div></li>")


def ddg_assist(answer: dict[str, Any], query: str) -> str:
    aid = "assist-" + token("assist", query, length=8)
    links = "".join(f'<a class="assist__source" href="{esc(s["url"])}">{esc(s["title"])}</a>'
                    for s in answer["sources"])
    links = f'<div class="assist__sources">{links}</div>' if links else ""
    busy = "true" if answer["state"] == "unfinished" or answer["late_ms"] else "false"
    content = _content(answer, PLAIN, aid, "assist__body", links, "Zoekassistent is niet beschikbaar voor deze "
                       "zoekopdracht.", PROGRESS.format(cls="assist__loading"))
    return (f'<div class="module--assist" data-testid="assist-answer" aria-busy="{busy}">'
            f'<h2 class="module__title">Zoekassistent</h2>{content}</div>')
