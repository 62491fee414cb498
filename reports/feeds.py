"""An Atom feed of a challenge's published progress updates (Django's syndication framework)."""

import datetime

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html_join

from recommendations.models import DROPPED_STATUSES, PeerChallenge
from recommendations.publication import public_updates

from .open_data import LICENCE


class ChallengeUpdatesFeed(Feed):
    """The newest published progress updates of one challenge, newest first. Drafts never appear;
    the council, not the officer, is named as the author."""

    feed_type = Atom1Feed
    items_shown = 50

    def get_object(self, request, slug):
        return get_object_or_404(PeerChallenge.objects.select_related("council"), slug=slug)

    def title(self, challenge):
        return f"{challenge.council.name}: {challenge.title} — published progress updates"

    def subtitle(self, challenge):
        return f"Progress on the actions in {challenge.council.name}'s {challenge.title} action plan, as published."

    def link(self, challenge):
        return challenge.get_absolute_url()

    def feed_url(self, challenge):
        return reverse("reports:updates-feed", args=[challenge.slug])

    def author_name(self, challenge):
        return challenge.council.name

    def feed_copyright(self, challenge):
        return f"{challenge.council.name}. Published under the {LICENCE}."

    def items(self, challenge):
        return (
            public_updates()
            .filter(action__recommendation__challenge=challenge)
            .select_related("action__recommendation", "superseded_by")
            .newest_first()[: self.items_shown]
        )

    def item_title(self, update):
        return f"Action {update.action.reference}: {update.get_status_display()} ({update.date:%-d %B %Y})"

    def item_description(self, update):
        """The update as HTML (Atom's summary type="html"), its text escaped: progress to date, then
        next steps and, for an action that is closing, why and what supersedes it. A feed carries
        published updates only, so all of it is public."""
        parts = [("Progress to date", update.text)]
        if update.next_steps:
            parts.append(("Next steps", update.next_steps))
        if update.status in DROPPED_STATUSES:
            if update.superseded_by_id:
                parts.append(("Superseded by", f"Action {update.superseded_by.reference}"))
            if update.closure_reason:
                parts.append(("Why it is closing", update.closure_reason))
        return format_html_join(
            "", "<p><strong>{}:</strong> {}</p>", ((label, linebreaksbr(text)) for label, text in parts)
        )

    def item_link(self, update):
        return update.action.get_absolute_url()

    def item_guid(self, update):
        return f"urn:uuid:{update.uid}"

    item_guid_is_permalink = False

    def item_pubdate(self, update):
        return timezone.make_aware(datetime.datetime.combine(update.date, datetime.time(12, 0)))

    def item_updateddate(self, update):
        return self.item_pubdate(update)

    def item_categories(self, update):
        return [f"Recommendation {update.action.recommendation.number}", update.get_status_display()]
