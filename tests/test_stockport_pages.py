"""Acceptance: from the home page, without signing in, a reader can follow links to every
fact of Stockport's Corporate Peer Challenge, and no page fails."""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

RECOMMENDATION_TITLES = [
    "Consider the council’s transformation programme to ensure full alignment to the One Stockport Borough Plan",
    "Maximise the benefits of neighbourhood / area working in the borough",
    "Develop a wider use of dynamic modelling to support increased dialogue on the financial context of the council post 2025",
    "Develop a comprehensive member development programme for May 2023",
    "Review the council’s constitution and working practice to bring in-line with sector norms",
    "Continue to develop the contribution of organisational development towards the council’s transformation objectives",
    "Further develop the council’s approach to becoming an ‘employer of choice’ in the sub-region",
    "Explore future opportunities to work with local partners and build on existing relationships",
    "Introduce a monthly statutory officers meeting",
    "Review the length and structure of reports to councillors",
    "Communicate the council’s work and progress more widely",
]
THEMES = ["Transformation and New Ways of Working", "Governance", "Internal Processes"]
PEER_TEAM = [
    "Chris Naylor",
    "Cllr Richard Kemp",
    "Cllr Simon Henig",
    "Shaun Darcy",
    "Sonia Halliwell",
    "Alison Edwards",
    "Matthew Dodd",
]
CONSIDERATIONS = ["Focus on Equality", "Neighbourhood Working", "Performance Management Framework"]
INDICATOR_FIGURES = ["97.6%", "2.8%", "72 per 10,000"]


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def crawl(client, start="/"):
    """Every same-site page reachable by links from `start` (admin and sign-in aside), with its text."""
    seen, queue, pages = set(), [start], {}
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        if not response["Content-Type"].startswith("text/html"):
            continue
        text = response.content.decode()
        pages[url] = text
        parser = LinkParser()
        parser.feed(text)
        for href in parser.links:
            parts = urlsplit(urljoin(url, href))
            if parts.netloc or parts.scheme not in ("", "http", "https"):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path.startswith(("/admin", "/sign-in", "/static")) or path in seen:
                continue
            queue.append(path)
    return pages


@pytest.fixture
def stockport():
    call_command("loaddata", "stockport_cpc", verbosity=0)


def visible_text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'").replace("&amp;", "&")


def test_every_fact_is_reachable_from_home_without_signing_in(client, stockport):
    pages = crawl(client)
    everything = " ".join(visible_text(text) for text in pages.values())

    for fact in RECOMMENDATION_TITLES + THEMES + PEER_TEAM + CONSIDERATIONS + INDICATOR_FIGURES:
        assert fact in everything, f"{fact!r} is not on any page reachable from /"
    assert len(pages) >= 1 + 1 + 1 + 11 + 3 + 1 + 3


def test_home_shows_the_council_the_challenge_dates_and_the_review(client, stockport):
    text = visible_text(client.get("/").content.decode())

    assert "Stockport Metropolitan Borough Council" in text
    assert "1 to 4 November 2022" in text
    assert "Progress review, 16 October 2023" in text
    assert "11 recommendations" in text
    for theme in THEMES:
        assert theme in text


def test_recommendations_page_groups_titles_under_their_themes(client, stockport):
    text = visible_text(client.get("/challenges/stockport-cpc-2022/recommendations/").content.decode())

    positions = {title: text.index(title) for title in RECOMMENDATION_TITLES}
    theme_at = [text.index(f"Theme {n}: {title}") for n, title in enumerate(THEMES, start=1)]
    membership = {1: [1, 2, 8], 2: [4, 5, 10], 3: [3, 6, 7, 9, 11]}
    for theme_number, numbers in membership.items():
        start = theme_at[theme_number - 1]
        end = theme_at[theme_number] if theme_number < 3 else len(text)
        for number in numbers:
            assert start < positions[RECOMMENDATION_TITLES[number - 1]] < end


def test_review_page_shows_peer_team_considerations_and_indicators(client, stockport):
    from reviews.models import ProgressReview

    review = ProgressReview.objects.get()
    text = visible_text(client.get(review.get_absolute_url()).content.decode())

    for fact in (
        PEER_TEAM + CONSIDERATIONS + INDICATOR_FIGURES + ["Lead Peer", "Inner Circle", "national average of 94%"]
    ):
        assert fact in text
