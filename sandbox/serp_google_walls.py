"""Google's pages that are not results (sandbox): the CAPTCHA page (``/sorry/index``), the consent wall
(``consent.google.com/ml``), the bare 403 page, the JavaScript wall and the 2026 soft block.
Re-exported by :mod:`sandbox.serp_google`."""

from __future__ import annotations

from urllib.parse import urlencode

from sandbox.markup import esc, token


def render_captcha(continue_url: str, ip: str = "198.51.100.23") -> str:
    """The 'unusual traffic' reCAPTCHA page served at /sorry/index (cf. 2023-blocked-recaptcha.html)."""
    c = esc(continue_url)
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"><html><head>'
        '<meta http-equiv="content-type" content="text/html; charset=utf-8"><meta name="viewport" '
        f'content="initial-scale=1"><title>{c}</title></head><body style="font-family: arial, sans-serif; '
        'background-color: #fff; color: #000; padding:20px; font-size:18px;" '
        "onload=\"e=document.getElementById('captcha');if(e){e.focus();}\"><div style=\"max-width:400px;\">"
        '<hr noshade size="1" style="color:#ccc; background-color:#ccc;"><br>'
        '<form id="captcha-form" action="index" method="post">'
        '<div id="recaptcha" class="g-recaptcha" data-sitekey="6LfwuyUTAAAAAOAmoS0fdqijC2PbbdH4kjq62Y1b" '
        'data-callback="submitCallback" data-s="sandbox"><div style="width: 304px; height: 78px; '
        'border:1px solid #d3d3d3; background:#f9f9f9">Ik ben geen robot</div></div>'
        f'<input type="hidden" name="q" value="{token("sorry", continue_url)}">'
        f'<input type="hidden" name="continue" value="{c}"></form>'
        '<hr noshade size="1" style="color:#ccc; background-color:#ccc;"><div style="font-size:13px;">'
        "<b>Over deze pagina</b><br><br>Onze systemen hebben ongebruikelijk verkeer van je computernetwerk "
        "gedetecteerd. Deze pagina controleert of jij het echt bent die de verzoeken verstuurt, en niet een "
        "robot. <a href=\"#\" onclick=\"document.getElementById('infoDiv').style.display='block';\">"
        'Waarom gebeurt dit?</a><br><br><div id="infoDiv" style="display:none; background-color:#eee; '
        'padding:10px; margin:0 0 15px 0; line-height:1.4em;">Deze pagina wordt weergegeven wanneer Google '
        "automatisch verzoeken detecteert die afkomstig zijn van je computernetwerk en die in strijd lijken "
        "te zijn met de Servicevoorwaarden.</div>"
        f"IP-adres: {esc(ip)}<br>Tijd: 2024-01-01T03:00:00Z<br>URL: {c}<br></div></div></body></html>"
    )


def render_consent(continue_url: str) -> str:
    """consent.google.com/ml: "Voordat je verdergaat naar Google" with accept/reject buttons (GET forms)."""
    c = esc(continue_url)

    def form(value: str, label: str) -> str:
        return (f'<form action="https://consent.google.com/save" method="GET">'
                f'<input type="hidden" name="continue" value="{c}"><input type="hidden" name="set_eom" '
                f'value="{value}"><input type="hidden" name="hl" value="nl"><button class="VfPpkd-LgbsSe" '
                f'type="submit" aria-label="{label}"><span class="VfPpkd-vQzf8d">{label}</span></button>'
                '</form>')

    return (
        '<!DOCTYPE html><html lang="nl" dir="ltr"><head><meta charset="utf-8">'
        "<title>Voordat je verdergaat naar Google</title></head><body>"
        '<div class="KxvlWc"><h1 class="I90TVb" id="S3BnEe">Voordat je verdergaat naar Google</h1>'
        "<p>We gebruiken cookies en gegevens om Google-services te leveren en te onderhouden, storingen te "
        "volgen en te beschermen tegen spam, fraude en misbruik.</p>"
        f'<div class="VtwTSb">{form("true", "Alles afwijzen")}{form("false", "Alles accepteren")}</div>'
        "</div></body></html>"
    )


def render_blocked(path_and_query: str) -> str:
    """Google's bare HTTP 403 page ("403. That’s an error."), served instead of a result page."""
    return (
        '<!DOCTYPE html><html lang=en><meta charset=utf-8><meta name=viewport content="initial-scale=1, '
        'minimum-scale=1, width=device-width"><title>Error 403 (Forbidden)!!1</title><style>'
        "*{margin:0;padding:0}html,code{font:15px/22px arial,sans-serif}html{background:#fff;color:#222;"
        "padding:15px}body{margin:7% auto 0;max-width:390px;min-height:180px;padding:30px 0 15px}"
        "p{margin:11px 0 22px;overflow:hidden}ins{color:#777;text-decoration:none}</style>"
        '<a href=//www.google.com/><span id=logo aria-label=Google></span></a>'
        "<p><b>403.</b> <ins>That’s an error.</ins>"
        f"<p>Your client does not have permission to get URL <code>{esc(path_and_query)}</code> from this "
        "server.  <ins>That’s all we know.</ins>"
    )


def render_javascript_wall(query: str, sei: str) -> str:
    """What Google sends a client it distrusts since January 2025 (cf. 2025-blocked-javascript-required.html):
    no results, a challenge script, a <noscript> refresh to /httpservice/retry/enablejs and a hidden "having
    trouble?" link back to the search.  Answered 200 at the search URL itself."""
    retry = f"/httpservice/retry/enablejs?sei={sei}"
    again = "/search?" + urlencode({"q": query, "hl": "nl", "emsg": "SG_REL", "sei": sei})
    return (
        '<!DOCTYPE html><html lang="nl"><head><title>Google Zoeken</title>'
        "<style>body{background-color:#fff}</style>"
        # the challenge did not pass: after a while the page offers its "having trouble?" line
        "<script>setTimeout(function(){var e=document.getElementById('yvlrue');if(e){e.style.display='block'}},"
        "1500);</script></head><body>"
        f'<noscript><style>table,div,span,p{{display:none}}</style><meta content="0;url={esc(retry)}" '
        f'http-equiv="refresh"><div style="display:block">Klik <a href="{esc(retry)}">hier</a> als je niet '
        "binnen een paar seconden wordt doorgestuurd.</div></noscript>"
        '<div id="yvlrue" style="display:none">Heb je problemen met de toegang tot Google Zoeken? '
        f'<a href="{esc(again)}">Klik hier</a> of stuur <a href="https://support.google.com/websearch">'
        "feedback</a>.</div></body></html>"
    )


def render_soft_block(query: str, sei: str) -> str:
    """Google's 2026 soft block (cf. 2026-blocked-soft-redirect.html): a title, an empty #main and a
    <noscript> frame to /httpservice/retry/enablejs, nothing else."""
    return (
        '<html><head><meta http-equiv="content-type" content="text/html; charset=UTF-8">'
        f"<title>{esc(query)} - Google Zoeken</title></head><body><noscript><iframe "
        f'src="/httpservice/retry/enablejs?sei={esc(sei)}" frameborder="0" height="100%" width="100%"></iframe>'
        "Klik hier als je niet binnen een paar seconden wordt doorgestuurd.</noscript>"
        '<div id="main"></div></body></html>'
    )
