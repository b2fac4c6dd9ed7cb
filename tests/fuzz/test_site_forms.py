"""Fuzzing the site directory's filter, as the central team uses it."""

from __future__ import annotations

from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.models import User
from sites.forms import SiteFilterForm
from sites.models import Programme, Region, Site
from tests.helpers.people import client_for

from .harness import FormUnderFuzz, fuzzes
from .strategies import FUZZ, Field, choice, form_data, hostile, object_id, text


@fuzzes(SiteFilterForm, "sites:site_list", "programme_lead")
def test_site_filter_shows_errors_or_the_sites(
    site_a: Site, site_b: Site, programme: Programme, programme_lead: User
) -> None:
    """Any name, programme, region and page number in the address shows sites or says what is wrong."""
    q = text(100, required=False)
    fields = {
        "q": Field(st.one_of(q.valid, st.sampled_from(["ash", "%", "_", "Brook"])), q.hostile),
        "programme": object_id([programme.pk]),
        "region": choice(["", *Region.values]),
        "page": Field(st.sampled_from(["1", "2", "last"]), hostile),
    }
    directory = FormUnderFuzz(client_for(programme_lead), reverse("sites:site_list"), SiteFilterForm, method="get")

    @FUZZ
    @given(form_data(fields))
    @example({"q": "<script>alert(1)</script>", "region": "london"})
    @example({"q": "x" * 101, "programme": "abc"})
    def submit(data: dict) -> None:
        directory.submit(data)

    submit()

    directory.assert_accepted_and_refused()
