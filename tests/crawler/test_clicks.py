import pytest

from crawler.clicks import CLICK_URL_CANDIDATES, is_ad_click_url


@pytest.mark.parametrize("url", [
    "https://www.googleadservices.com/pagead/aclk?sa=L&adurl=https%3A%2F%2Fx.nl",
    "https://www.google.nl/aclk?sa=l&ai=x&adurl=",
    "https://www.google.co.uk/aclk?x=1",
    "https://www.bing.com/aclk?ld=e8&u=a1aHR0cHM6Ly94Lm5s",
    "https://www.bing.com/aclick?ld=e8",
    "https://duckduckgo.com/y.js?ad_domain=x.nl&u3=https%3A%2F%2Fwww.bing.com%2Faclk",
    "HTTPS://WWW.GOOGLEADSERVICES.COM/PAGEAD/ACLK",
])
def test_ad_click_urls_are_recognised(url):
    assert is_ad_click_url(url)
    assert CLICK_URL_CANDIDATES.search(url)  # the browser's route stops it before it leaves


@pytest.mark.parametrize("url", [
    "https://www.google.nl/search?q=aclk",
    "https://www.telnova.nl/aclk",
    "https://googleadservices.com.evil.nl/pagead/aclk",
    "https://www.bing.com/search?q=x",
    "https://duckduckgo.com/?q=y.js",
    None,
    "",
])
def test_other_urls_are_not(url):
    assert not is_ad_click_url(url)
