"""The labels search engines print on ads, per language: the one list the engine parsers and the drift alarm use.

A label is the whole text of one element ("Gesponsord", "Sponsored results"), as the engines print it in
their EU markets.  The Google parser looks for an ad's label as a word of an ad container's text (where the
markup gives no better sign) and finds groups of ads by their heading; the drift alarm
(:mod:`crawler.drift`) finds ads by either, whatever the markup.
"""

from __future__ import annotations

AD_LABELS_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "en": ("Ad", "Ads", "Sponsored"),
    "nl": ("Gesponsord", "Advertentie", "Advertenties"),
    "de": ("Anzeige", "Anzeigen", "Gesponsert"),
    "fr": ("Annonce", "Annonces", "Sponsorisé", "Sponsorisés", "Publicité"),
    "es": ("Patrocinado", "Anuncio", "Anuncios", "Publicidad"),
    "pt": ("Patrocinado",),
    "it": ("Sponsorizzato", "Annuncio", "Annunci"),
    "pl": ("Reklama", "Sponsorowane"),
    "cs": ("Reklama", "Sponzorováno"),
    "sk": ("Reklama", "Sponzorované"),
    "sv": ("Sponsrad", "Annons"),
    "da": ("Sponsoreret", "Annonce"),
    "no": ("Sponset", "Annonse"),
    "fi": ("Sponsoroitu", "Mainos"),
    "hu": ("Hirdetés", "Szponzorált"),
    "ro": ("Reclamă", "Sponsorizat"),
    "el": ("Διαφήμιση", "Χορηγούμενο"),
    "bg": ("Реклама",),
    "hr": ("Oglas", "Sponzorirano"),
    "sl": ("Oglas", "Sponzorirano"),
}

# The heading over a group of ads (Google since October 2025: crawler.engines.google_sponsored), whose ads
# often carry no label of their own.
SPONSORED_GROUP_LABELS_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "en": ("Sponsored results", "Sponsored result"),
    "nl": ("Gesponsorde resultaten",),
    "de": ("Gesponserte Ergebnisse",),
    "fr": ("Résultats sponsorisés",),
    "es": ("Resultados patrocinados",),
    "pt": ("Resultados patrocinados",),
    "it": ("Risultati sponsorizzati",),
}


def _every(by_language: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Every label once, English and Dutch first (the markets the project watches most)."""
    return tuple(dict.fromkeys(label for labels in by_language.values() for label in labels))


AD_LABELS = _every(AD_LABELS_BY_LANGUAGE)
SPONSORED_GROUP_LABELS = _every(SPONSORED_GROUP_LABELS_BY_LANGUAGE)
_FOLDED = frozenset(label.casefold() for label in (*AD_LABELS, *SPONSORED_GROUP_LABELS))


def is_ad_label(text: str) -> bool:
    """True when ``text`` (the whole text of an element, trimmed) labels an ad or a group of ads, in any of
    the languages, in any case."""
    return text.casefold() in _FOLDED


__all__ = [
    "AD_LABELS", "AD_LABELS_BY_LANGUAGE", "SPONSORED_GROUP_LABELS", "SPONSORED_GROUP_LABELS_BY_LANGUAGE", "is_ad_label",
]
