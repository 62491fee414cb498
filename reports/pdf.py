"""Committee reports as PDF: the report's own HTML rendered by WeasyPrint with a print stylesheet read
from disk. Nothing is fetched over the network (only data: URLs are allowed)."""

from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

STYLESHEET = "reports/report-pdf.css"


@lru_cache(maxsize=4)
def stylesheet(name=STYLESHEET):
    """A PDF's CSS (a static file), read from disk once, for the HTML or `html_to_pdf(css=...)`,
    so WeasyPrint needs no static file server."""
    return Path(finders.find(name)).read_text(encoding="utf-8")


def html_to_pdf(html, *, base_url, css=()):
    """PDF bytes from `html`. Links are made absolute against `base_url`; headings become bookmarks
    and <title> the document title (WeasyPrint's defaults).

    The PDF is tagged (a structure tree of headings, lists, tables and paragraphs, marked as such)
    and carries the document language from <html lang>: a screen reader can read it, as the Public
    Sector Bodies Accessibility Regulations 2018 ask of what councils publish.

    `css`: stylesheets (text) applied besides the HTML's own, for templates that keep no <style>."""
    fetcher = URLFetcher(allowed_protocols=["data"])
    stylesheets = [CSS(string=text, base_url=base_url, url_fetcher=fetcher) for text in css]
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(stylesheets=stylesheets, pdf_tags=True)
