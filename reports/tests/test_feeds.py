"""The Atom feed of a challenge's published progress updates."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from recommendations.tests.factories import ActionFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def feed(client, challenge):
    response = client.get(reverse("reports:updates-feed", args=[challenge.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def test_feed_lists_published_updates_newest_first_linking_to_the_action(client):
    action = ActionFactory(reference="10.2", recommendation__theme__challenge__council__name="Anytown Council")
    ProgressUpdateFactory(action=action, date=datetime.date(2024, 1, 5), text="Older news")
    ProgressUpdateFactory(action=action, date=datetime.date(2024, 2, 5), text="Newer news")
    ProgressUpdateFactory(action=action, date=datetime.date(2024, 3, 5), text="Draft news", published=False)
    ProgressUpdateFactory(text="Another challenge's news")

    root = feed(client, action.recommendation.challenge)

    assert root.tag == f"{ATOM}feed"
    assert "Anytown Council" in root.findtext(f"{ATOM}title")
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Anytown Council"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}summary") for e in entries] == [
        "<p><strong>Progress to date:</strong> Newer news</p>",
        "<p><strong>Progress to date:</strong> Older news</p>",
    ]
    assert entries[0].find(f"{ATOM}summary").get("type") == "html"
    first = entries[0]
    assert first.findtext(f"{ATOM}title") == "Action 10.2: On track (5 February 2024)"
    assert first.find(f"{ATOM}link").get("href").endswith(action.get_absolute_url())
    assert first.findtext(f"{ATOM}id").startswith("urn:uuid:")
    assert first.findtext(f"{ATOM}published").startswith("2024-02-05")


def test_feed_holds_the_newest_fifty(client):
    action = ActionFactory()
    for day in range(60):
        ProgressUpdateFactory(action=action, date=datetime.date(2024, 1, 1) + datetime.timedelta(days=day))

    entries = feed(client, action.recommendation.challenge).findall(f"{ATOM}entry")

    assert len(entries) == 50
    assert entries[0].findtext(f"{ATOM}published").startswith("2024-02-29")


def test_challenge_and_home_pages_advertise_the_feed(client):
    challenge = ActionFactory().recommendation.challenge
    link = (
        f'<link rel="alternate" type="application/atom+xml" title="Published progress updates – '
        f'{challenge.council.name}: {challenge.title}" href="{reverse("reports:updates-feed", args=[challenge.slug])}">'
    )

    assert link in client.get(challenge.get_absolute_url()).content.decode()
    assert link in client.get("/").content.decode()
