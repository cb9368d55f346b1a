"""AI answers on a result page (kind "ai_answer"): Google's AI Overview, Bing's Copilot answer, DuckDuckGo's
Search Assist.  Shared reading of one answer block; each engine module keeps its own selectors and passes
them in as an :class:`AnswerMarkup`.

What is read, and why:

- **text**: the answer's body as a reader sees it (its paragraphs, headings and lists; without the panel's
  own heading, buttons and source cards).  Numbers are read from the whole visible block, like any result's.
- **sources**: every link off the engine in the block (the sources tray, inline citations), in page order,
  with its title and registrable domain: the pages an analyst asks hosts to take down.
- **state** (crawler.models.ANSWER_STATES):
  - ``declined`` when a decline message ("An AI Overview is not available for this search") is *shown* and
    there is no answer text.  Google ships those messages hidden on every page that has an AI Overview
    (the real pt-BR page does): a hidden message never declines anything;
  - ``unfinished`` when the panel is there but holds no text yet (still being written when the wait ran
    out): recorded, not taken for "no answer";
  - ``collapsed`` / ``expanded`` when the panel's own expand control (a button inside it, never a link)
    says ``aria-expanded="false"`` / ``"true"``;
  - ``complete`` otherwise.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

from crawler.domains import registrable_domain
from crawler.htmltree import Element, is_hidden, select, text_content, visible_text
from crawler.models import Source
from crawler.pageindex import PageIndex


@dataclass(frozen=True)
class AnswerMarkup:
    """Where an engine writes its AI answer (CSS selectors) and what its panel says (lower-case texts)."""

    containers: str  # the answer panel itself, where the engine marks it
    headings: str  # elements that may carry the panel's title
    labels: Collection[str]  # the panel's titles ("ai overview", "ai-overzicht", ...)
    body: str  # the answer's paragraphs, headings and lists
    expand: str  # the panel's own expand control
    declined: Collection[str]  # decline messages
    engine_hosts: Collection[str]  # links to these hosts are the engine's own, not sources
    max_climb: int = 8
    by_heading: bool = True  # also find panels by their title (Google marks its panel with nothing else)
    chrome: str = ""  # the panel's parts that are never the answer (a disclaimer)


@dataclass(frozen=True)
class Answer:
    block: Element
    title: str  # the panel's title as shown ("AI-overzicht"), else ""
    text: str
    state: str
    sources: tuple[Source, ...]


def find_answers(page: PageIndex, markup: AnswerMarkup, stop: str) -> list[Answer]:
    """The AI answers on ``page``, outermost first; ``stop`` selects what an answer panel never contains
    (result titles, ad blocks): a panel found by its heading grows up to just below that."""
    blocks = [b for b in page.select(markup.containers) if not is_hidden(b)] if markup.containers else []
    wanted = {label.casefold() for label in markup.labels}
    longest = max(map(len, wanted), default=0)
    members = set(blocks)  # the blocks as a set: every heading of the page is asked about them
    for heading in page.select(markup.headings) if markup.by_heading else ():
        if len(text_content(heading)) > 2 * longest or visible_text(heading).strip().casefold() not in wanted:
            continue
        if is_hidden(heading) or heading in members or any(p in members for p in heading.iterancestors()):
            continue
        blocks.append(_panel(heading, markup, stop))
        members.add(blocks[-1])
    blocks = [b for b in blocks if not any(p in members for p in b.iterancestors())]
    return [read_answer(b, markup) for b in sorted(set(blocks), key=page.position)]


def _panel(heading: Element, markup: AnswerMarkup, stop: str) -> Element:
    block = heading
    for _ in range(markup.max_climb):
        parent = block.getparent()
        if parent is None or parent.tag in ("body", "html") or select(parent, stop):
            break
        block = parent
    return block


def read_answer(block: Element, markup: AnswerMarkup) -> Answer:
    parts = [p for p in select(block, markup.body) if not is_hidden(p, block)]
    parts = [p for p in parts if not any(q in parts for q in p.iterancestors())]
    text = "\n".join(t for t in (visible_text(p) for p in parts) if t)
    wanted = {label.casefold() for label in markup.labels}
    title = next((t for t in (visible_text(h).strip() for h in select(block, markup.headings))
                  if t.casefold() in wanted), "")
    declined = not text and any(m in visible_text(block).casefold() for m in markup.declined)
    if not text and not declined:
        text = _unknown_body(block, markup)
    return Answer(block=block, title=title, text=text, state=_state(block, text, declined, markup),
                  sources=_sources(block, markup))


def _unknown_body(block: Element, markup: AnswerMarkup) -> str:
    """The panel's text in markup the body selectors do not know (the engine changed it): everything a reader
    sees but the panel's title, its buttons and the engine's own links ("learn more").  An answer still being
    written shows none of that, so it stays "unfinished"."""
    skip = {*select(block, markup.headings), *select(block, "button, [role=button], [role=progressbar]"),
            *(select(block, markup.chrome) if markup.chrome else ())}
    skip |= {a for a in block.iter("a") if _is_engine((urlsplit(str(a.get("href") or "")).hostname or "").lower(),
                                                      markup.engine_hosts) or not a.get("href")}
    return visible_text(block, skip=skip).strip()


def _state(block: Element, text: str, declined: bool, markup: AnswerMarkup) -> str:
    if declined:  # a decline message shown (visible_text leaves the hidden ones out) and no answer
        return "declined"
    if not text:
        return "unfinished"
    for control in select(block, markup.expand):
        if control.tag == "a" or control.get("href") is not None or is_hidden(control, block):
            continue  # an expand control is a button, never a link
        expanded = control.get("aria-expanded")
        if expanded == "false":
            return "collapsed"
        if expanded == "true":
            return "expanded"
    return "complete"


def _sources(block: Element, markup: AnswerMarkup) -> tuple[Source, ...]:
    out: dict[str, Source] = {}
    for a in block.iter("a"):
        href = str(a.get("href") or "")
        host = (urlsplit(href).hostname or "").lower()
        if not href.startswith(("http://", "https://")) or _is_engine(host, markup.engine_hosts):
            continue
        if href in out or is_hidden(a, block):
            continue
        title = (a.get("aria-label") or visible_text(a) or a.get("title") or "").strip()
        out[href] = Source(url=href, title=" ".join(title.split()), domain=registrable_domain(href))
    return tuple(out.values())


def _is_engine(host: str, engine_hosts: Collection[str]) -> bool:
    """``engine_hosts`` names domains ("bing.com") or, without a dot, a label of any of the engine's hosts
    ("google": www.google.com.br, support.google.com)."""
    labels = host.split(".")
    return any(h in labels if "." not in h else host == h or host.endswith("." + h) for h in engine_hosts)
