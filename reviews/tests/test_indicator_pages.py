"""The indicator pages (an indicator, a challenge's indicators), indicators on the recommendation,
theme and progress review pages: what each reader sees, internal indicators never shown to the
public or to other councils, and query budgets that hold as figures pile up."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from recommendations.models import Role
from recommendations.tests.factories import (
    CouncilFactory,
    PeerChallengeFactory,
    RecommendationFactory,
    ThemeFactory,
    UserFactory,
    build_challenge,
)
from recommendations.tests.queries import SIGNED_IN_QUERIES, count_queries
from reviews.models import Frequency, Indicator, Polarity

from .factories import IndicatorFactory, IndicatorValueFactory, ProgressReviewFactory, add_values

pytestmark = pytest.mark.django_db

INTERNAL = "Agency staff spend (internal-7q2)"


def text_of(response):
    """The page's visible text, tags and extra spaces removed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def challenge(council):
    return PeerChallengeFactory(council=council, slug="anytown-cpc")


@pytest.fixture
def public_indicator(challenge, officer):
    theme = ThemeFactory(challenge=challenge, number=1, title="Governance")
    recommendation = RecommendationFactory(challenge=challenge, theme=theme, number=1, title="Review the constitution")
    indicator = IndicatorFactory(
        challenge=challenge,
        name="Council Tax collection rate",
        description="The share of council tax due in the year that was collected in the year",
        unit="%",
        polarity=Polarity.HIGHER,
        source="LG Inform",
        source_id="2094",
        source_url="https://lginform.local.gov.uk/reports/lgastandard?mod-metric=2094",
        frequency=Frequency.ANNUAL,
        public=True,
        owner=officer,
    )
    indicator.recommendations.add(recommendation)
    indicator.themes.add(theme)
    for start, period, value in [
        (datetime.date(2021, 4, 1), "2021/22", "95.1"),
        (datetime.date(2022, 4, 1), "2022/23", "96.4"),
        (datetime.date(2023, 4, 1), "2023/24", "97.6"),
    ]:
        IndicatorValueFactory(
            indicator=indicator,
            period_start=start,
            period=period,
            value=Decimal(value),
            target=Decimal("96"),
            comparator_value=Decimal("94"),
            comparator_label="National average",
            comparator="above the national average",
            note=f"Note for {period}",
        )
    return indicator


@pytest.fixture
def internal_indicator(public_indicator):
    indicator = IndicatorFactory(
        challenge=public_indicator.challenge, name=INTERNAL, public=False, polarity=Polarity.LOWER, unit="£"
    )
    indicator.recommendations.set(public_indicator.recommendations.all())
    indicator.themes.set(public_indicator.themes.all())
    add_values(indicator, [120, 110])
    return indicator


def member_of_elsewhere():
    return UserFactory(username="ellis", roles=[(CouncilFactory(name="Elsewhere Council"), Role.COORDINATOR)])


class TestIndicatorPage:
    def test_says_what_it_measures_where_from_and_how_it_is_going(self, client, public_indicator):
        response = client.get(public_indicator.get_absolute_url())

        text = text_of(response)
        for fact in [
            "Council Tax collection rate",
            "The share of council tax due in the year that was collected in the year",
            "Higher is better",
            "LG Inform, metric 2094",
            "Annual",
            "Recommendation 1: Review the constitution",
            "Theme 1: Governance",
            "97.6% 2023/24",
            "Improving (up)",
            "Improving: up from 96.4% (2022/23) to 97.6% (2023/24); higher is better",
            "Target met: better than the target of 96%",
            "Better than the comparator (National average, 94%)",
            "above the national average",
            "Note for 2021/22",
        ]:
            assert fact in text, fact
        html = response.content.decode()
        assert 'href="https://lginform.local.gov.uk/reports/lgastandard?mod-metric=2094"' in html
        assert '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart__svg" role="img"' in html
        assert "Council Tax collection rate: figures over time" in html

    def test_the_owner_is_named_to_members_not_to_the_public(self, client, public_indicator, scrutiny_member):
        assert "Olivia Officer" not in text_of(client.get(public_indicator.get_absolute_url()))

        client.force_login(scrutiny_member)
        text = text_of(client.get(public_indicator.get_absolute_url()))
        assert "Owner Olivia Officer" in text
        assert "Shown to The public" in text

    def test_the_owner_and_coordinators_get_the_links_to_enter_figures(
        self, client, public_indicator, officer, coordinator, scrutiny_member
    ):
        add = reverse("reviews:indicator-value-add", args=[public_indicator.pk])
        for user, offered in [(officer, True), (coordinator, True), (scrutiny_member, False), (None, False)]:
            client.logout()
            if user:
                client.force_login(user)
            html = client.get(public_indicator.get_absolute_url()).content.decode()
            assert (add in html) == offered, user
            assert ('Change<span class="govuk-visually-hidden"> the figure for 2021/22' in html) == offered, user

    def test_an_indicator_with_no_figures_or_no_numbers_still_has_a_page(self, client, challenge):
        empty = IndicatorFactory(challenge=challenge, public=True)
        words_only = IndicatorFactory(challenge=challenge, public=True, polarity=Polarity.NOT_STATED, unit="")
        IndicatorValueFactory(indicator=words_only, value=None, comparator="The best performing council nationally")

        assert "No figures have been recorded for this indicator yet" in text_of(client.get(empty.get_absolute_url()))
        text = text_of(client.get(words_only.get_absolute_url()))
        assert "No figure given" in text and "The best performing council nationally" in text
        assert "There are no figures with a number to chart yet." in text
        assert "Not enough figures yet" in text

    def test_one_and_negative_figures_are_charted(self, client, challenge):
        indicator = IndicatorFactory(challenge=challenge, public=True, unit="%", polarity=Polarity.HIGHER)
        add_values(indicator, [-2.5])

        html = client.get(indicator.get_absolute_url()).content.decode()
        assert "Line chart of 1 figure: -2.5% for January 2022" in html

        add_values(indicator, [-1], start=datetime.date(2022, 2, 1))
        text = text_of(client.get(indicator.get_absolute_url()))
        assert "Improving: up from -2.5% (January 2022) to -1% (February 2022)" in text


class TestWhoSeesInternalIndicators:
    def test_internal_indicators_are_not_found_by_the_public_or_other_councils(
        self, client, internal_indicator, superuser
    ):
        url = internal_indicator.get_absolute_url()
        assert client.get(url).status_code == 404
        client.force_login(member_of_elsewhere())
        assert client.get(url).status_code == 404

        client.force_login(superuser)
        assert client.get(url).status_code == 200

    @pytest.mark.parametrize("who", ["officer", "coordinator", "scrutiny_member"])
    def test_members_of_the_council_read_them_marked_internal(self, request, client, who, internal_indicator):
        client.force_login(request.getfixturevalue(who))

        text = text_of(client.get(internal_indicator.get_absolute_url()))

        assert "Internal Management information for the council's members only" in text
        assert "Improving (down)" in text  # lower is better: 120 → 110

    def test_public_pages_never_show_an_internal_indicator(self, client, internal_indicator, public_indicator):
        review = ProgressReviewFactory(challenge=internal_indicator.challenge, on_site=datetime.date(2022, 1, 1))
        Indicator.objects.filter(pk=internal_indicator.pk).update(review=review)
        recommendation = public_indicator.recommendations.get()
        theme = public_indicator.themes.get()
        urls = [
            reverse("reviews:indicator-list", args=[internal_indicator.challenge.slug]),
            recommendation.get_absolute_url(),
            theme.get_absolute_url(),
            review.get_absolute_url(),
            internal_indicator.challenge.get_absolute_url(),
        ]
        for reader in [None, member_of_elsewhere()]:
            client.logout()
            if reader:
                client.force_login(reader)
            for url in urls:
                html = client.get(url).content.decode()
                assert INTERNAL not in html, (reader, url)
                assert internal_indicator.get_absolute_url() not in html, (reader, url)

    def test_members_see_internal_indicators_on_the_council_pages(
        self, client, internal_indicator, public_indicator, officer
    ):
        client.force_login(officer)
        recommendation = public_indicator.recommendations.get()
        for url in [
            reverse("reviews:indicator-list", args=[internal_indicator.challenge.slug]),
            recommendation.get_absolute_url(),
            public_indicator.themes.get().get_absolute_url(),
        ]:
            text = text_of(client.get(url))
            assert f"{INTERNAL} Internal" in text, url
            assert "Council Tax collection rate" in text, url


class TestIndicatorList:
    def test_lists_each_indicator_with_its_latest_figure_and_direction(self, client, public_indicator):
        worsening = IndicatorFactory(challenge=public_indicator.challenge, name="Missed bin collections", public=True)
        worsening.polarity = Polarity.LOWER
        worsening.unit = "per 100,000"
        worsening.save()
        add_values(worsening, [40, 52])

        text = text_of(client.get(reverse("reviews:indicator-list", args=[public_indicator.challenge.slug])))

        assert "Council Tax collection rate 97.6% 2023/24" in text
        assert "Improving (up)" in text
        assert "Missed bin collections 52 per 100,000 February 2022" in text
        assert "Worsening (up)" in text
        assert "Target met: better than the target of 96%" in text and "No target" in text

    def test_coordinators_are_offered_to_add_an_indicator(self, client, challenge, coordinator, officer):
        url = reverse("reviews:indicator-list", args=[challenge.slug])
        create = reverse("reviews:indicator-create", args=[challenge.slug])
        assert "There are no indicators to show for this peer challenge yet." in text_of(client.get(url))
        client.force_login(officer)
        assert create not in client.get(url).content.decode()
        client.force_login(coordinator)
        assert create in client.get(url).content.decode()

    def test_an_unknown_challenge_is_not_found(self, client):
        assert client.get(reverse("reviews:indicator-list", args=["no-such-challenge"])).status_code == 404

    def test_the_challenge_page_links_to_it(self, client, challenge):
        html = client.get(challenge.get_absolute_url()).content.decode()
        assert reverse("reviews:indicator-list", args=[challenge.slug]) in html


class TestQuotedInTheReview:
    def test_the_review_page_shows_the_quoted_figures_linking_to_their_indicators(self, client):
        review = ProgressReviewFactory()
        quoted = IndicatorFactory(
            review=review,
            name="Looked After Children",
            unit="per 10,000",
            value=Decimal("72"),
            comparator_value=Decimal("95"),
            comparator_label="National average",
            comparator="the fourth lowest",
        )
        add_values(quoted, [80], start=datetime.date(2024, 4, 1))  # a later figure: not the one quoted

        response = client.get(review.get_absolute_url())

        text = text_of(response)
        assert "Looked After Children 72 per 10,000 the fourth lowest" in text
        assert "80 per 10,000" not in text
        assert quoted.get_absolute_url() in response.content.decode()
        assert "National average: 95 per 10,000" in text  # the chart's label


class TestStockport:
    @pytest.fixture
    def stockport(self, db):
        call_command("loaddata", "stockport_cpc", verbosity=0)
        from reviews.models import ProgressReview

        return ProgressReview.objects.get(challenge__slug="stockport-cpc-2022")

    def test_the_review_page_still_shows_the_letters_figures_and_comparators(self, client, stockport):
        response = client.get(stockport.get_absolute_url())

        text = text_of(response)
        for fact in [
            "Council Tax collection rate 97.6%",
            "the third best rate for a Metropolitan Council in the UK and above the national average of 94%",
            "Children not in education, employment, or training (NEET) 2.8%",
            "the second best performing Metropolitan Council",
            "Looked After Children 72 per 10,000",
            "72 per 10,000 compared to a national average of 95 per 10,000",
            "Household waste and recycling No figure given",
            "The best performing Metropolitan Council nationally for levels of household waste",
        ]:
            assert fact in text, fact
        for indicator in stockport.indicators.all():
            assert indicator.get_absolute_url() in response.content.decode()

    def test_each_indicator_page_shows_the_figure_at_the_review(self, client, stockport):
        tax = stockport.indicators.get(name="Council Tax collection rate")

        text = text_of(client.get(tax.get_absolute_url()))

        assert "97.6% At the progress review, October 2023" in text
        assert "Better than the comparator (National average, 94%)" in text
        assert "Higher is better" in text and "Not enough figures yet" in text
        assert "Quoted in The progress review, 16 October 2023" in text


class TestQueryBudgets:
    """Each page's queries do not grow with its indicators or their figures."""

    def build(self, *, indicators, periods, linked):
        challenge = build_challenge(themes=1, recommendations_per_theme=1, actions_per_recommendation=1)
        recommendation, theme = challenge.recommendations.get(), challenge.themes.get()
        review = ProgressReviewFactory(challenge=challenge, on_site=datetime.date(2022, 1, 1))
        for n in range(indicators):
            indicator = IndicatorFactory(
                challenge=challenge, review=review, public=n % 2 == 0, polarity=Polarity.HIGHER
            )
            add_values(indicator, [n + i for i in range(periods)], target=Decimal(5), comparator_value=Decimal(3))
            if linked:
                indicator.recommendations.add(recommendation)
                indicator.themes.add(theme)
        return challenge, review, Indicator.objects.filter(challenge=challenge).order_by("pk").first()

    def urls(self, challenge, review, indicator):
        return {
            "indicator": indicator.get_absolute_url(),
            "list": reverse("reviews:indicator-list", args=[challenge.slug]),
            "recommendation": challenge.recommendations.get().get_absolute_url(),
            "theme": challenge.themes.get().get_absolute_url(),
            "review": review.get_absolute_url(),
        }

    @pytest.mark.parametrize("who", [None, "scrutiny_member"])
    def test_budgets_hold_as_indicators_and_figures_grow(self, request, client, who):
        if who:
            client.force_login(request.getfixturevalue(who))
        few = self.urls(*self.build(indicators=1, periods=2, linked=True))
        many = self.urls(*self.build(indicators=8, periods=20, linked=True))
        # The plan's pages (other apps' budgets hold their own queries) get a little room to grow.
        budgets = {"indicator": 4, "list": 3, "recommendation": 12, "theme": 9, "review": 8}
        signed_in = SIGNED_IN_QUERIES if who else 0
        for page, budget in budgets.items():
            small, large = count_queries(client, few[page]), count_queries(client, many[page])
            assert small == large <= budget + signed_in, (page, small, large)

    def test_linked_indicators_cost_at_most_two_queries_on_the_plan_pages(self, client):
        plain = build_challenge(themes=1, recommendations_per_theme=1, actions_per_recommendation=1)
        linked, _, _ = self.build(indicators=8, periods=20, linked=True)
        for name in ("recommendation", "theme"):
            url_of = {
                "recommendation": lambda c: c.recommendations.get().get_absolute_url(),
                "theme": lambda c: c.themes.get().get_absolute_url(),
            }[name]
            assert count_queries(client, url_of(linked)) - count_queries(client, url_of(plain)) <= 2, name

    def test_pages_cost_the_same_when_the_reader_may_read_none_of_the_indicators(self, client):
        challenge, review, indicator = self.build(indicators=1, periods=3, linked=True)
        readable = self.urls(challenge, review, indicator)
        counts = {page: count_queries(client, url) for page, url in readable.items() if page != "indicator"}
        Indicator.objects.filter(challenge=challenge).update(public=False)

        assert {page: count_queries(client, readable[page]) for page in counts} == counts
