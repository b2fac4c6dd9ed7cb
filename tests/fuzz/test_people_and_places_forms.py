"""Fuzzing the central team's forms for people and places: sites, organisations and the enabler pool."""

from __future__ import annotations

from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.models import User
from engagements.forms.enablers import POOL_SHOWING, EnablerManageForm, EnablerPoolFilterForm
from engagements.models.enablers import Sector
from engagements.models.requests import Approach
from sites.forms import OrganisationFilterForm, OrganisationForm, SiteForm
from sites.models import Organisation, Programme, Region, Site
from tests.helpers.people import client_for

from .harness import FormUnderFuzz, fuzzes
from .strategies import FUZZ, Field, choice, choices, form_data, hostile, number, object_id, text

ON = Field(st.sampled_from(["on", ""]))


def _names(known: list[str]) -> Field:
    """Records named one a line: known names in any case, with blank lines and repeats, or names nobody has."""
    valid = st.lists(st.sampled_from([*known, *(name.upper() for name in known), "", "  "]), max_size=4).map("\n".join)
    wrong = st.one_of(hostile, st.sampled_from(["No Such Place", "\n".join(["Ashvale"] * 201), "x" * 201]))
    return Field(valid, wrong)


def _site_fields(programme: Programme, organisations: list[str]) -> dict[str, Field]:
    return {
        "name": text(200),
        "programme": object_id([programme.pk]),
        "region": choice(Region.values),
        "description": text(5000, required=False),
        "council_count": number(st.integers(0, 100)),
        "commissioner_count": number(st.integers(0, 100)),
        "boundaries_overlap": ON,
        "partners": _names(organisations),
    }


@fuzzes(SiteForm, "sites:site_create", "programme_lead")
def test_site_create_form_refuses_with_form_errors(site_a: Site, programme: Programme, programme_lead: User) -> None:
    """Any name (the one in use too), programme, region, counts and partners: a new site, or what is wrong."""
    fields = _site_fields(programme, [site_a.partners.get().name])
    fields["name"] = Field(st.one_of(text(200).valid, st.just("ashvale")), text(200).hostile)
    create = FormUnderFuzz(
        client_for(programme_lead),
        reverse("sites:site_create"),
        SiteForm,
        shows=[reverse("sites:site_list")],
    )

    @FUZZ
    @given(form_data(fields))
    @example(
        {
            "name": "<script>alert(1)</script>",
            "programme": str(programme.pk),
            "region": "london",
            "council_count": "1",
            "commissioner_count": "1",
        }
    )
    @example({"name": "Ashvale", "programme": "abc", "region": "mars", "council_count": "-1"})
    def submit(data: dict) -> None:
        create.submit(data)

    submit()

    create.assert_accepted_and_refused()


@fuzzes(SiteForm, "sites:site_edit", "programme_lead")
def test_site_edit_form_refuses_with_form_errors(
    site_a: Site, site_b: Site, programme: Programme, programme_lead: User
) -> None:
    """Site A's profile changed to anything: saved and shown escaped, or what is wrong (Brookmere's name too)."""
    fields = _site_fields(programme, [site_a.partners.get().name])
    fields["name"] = Field(st.one_of(text(200).valid, st.just("BROOKMERE")), text(200).hostile)
    edit = FormUnderFuzz(
        client_for(programme_lead),
        reverse("sites:site_edit", kwargs={"pk": site_a.pk}),
        SiteForm,
        redirects_to=reverse("sites:site_detail", kwargs={"pk": site_a.pk}),
        shows=[reverse("sites:site_list"), reverse("sites:site_edit", kwargs={"pk": site_a.pk})],
    )

    @FUZZ
    @given(form_data(fields))
    @example(
        {
            "name": "Ashvale <img src=x onerror=alert(1)>",
            "programme": str(programme.pk),
            "region": "london",
            "council_count": "3",
            "commissioner_count": "2",
            "boundaries_overlap": "on",
        }
    )
    @example({"name": "brookmere", "programme": str(programme.pk), "region": "london", "council_count": "101"})
    def submit(data: dict) -> None:
        edit.submit(data)

    submit()

    edit.assert_accepted_and_refused()


def _organisation_fields(sites: list[str]) -> dict[str, Field]:
    aliases = text(2000, required=False)
    return {
        "name": Field(st.one_of(text(200).valid, st.sampled_from(["ab council", "Ashvale Borough Council"])), hostile),
        "sector": choice(Organisation.Sector.values),
        "aliases": Field(
            st.one_of(
                aliases.valid,
                st.sampled_from(
                    ["AB COUNCIL", "LB Islington\nIslington Council", "a\n\n a \nb", "Ashvale Borough Council"]
                ),
            ),
            aliases.hostile,
        ),
        "sites": _names(sites),
    }


@fuzzes(OrganisationForm, "sites:organisation_create", "programme_lead")
def test_organisation_create_form_refuses_with_form_errors(site_a: Site, site_b: Site, programme_lead: User) -> None:
    """Any name and other names, clashing with another organisation's or not, any sector and sites."""
    create = FormUnderFuzz(
        client_for(programme_lead),
        reverse("sites:organisation_create"),
        OrganisationForm,
        redirects_to=reverse("sites:organisation_list"),
        shows=[reverse("sites:site_detail", kwargs={"pk": site_b.pk})],
    )

    @FUZZ
    @given(form_data(_organisation_fields([site_a.name, site_b.name])))
    @example({"name": "<script>alert(1)</script>", "sector": "council", "aliases": "'><svg/onload=alert(1)>"})
    @example({"name": "Brookmere Trust", "sector": "council", "aliases": "ab council"})
    def submit(data: dict) -> None:
        create.submit(data)

    submit()

    create.assert_accepted_and_refused()


@fuzzes(OrganisationForm, "sites:organisation_edit", "programme_lead")
def test_organisation_edit_form_refuses_with_form_errors(site_a: Site, site_b: Site, programme_lead: User) -> None:
    """Another organisation's names are refused; its own are kept; what is saved is shown escaped."""
    other = Organisation.objects.create(name="Brookmere Care", sector=Organisation.Sector.VOLUNTARY, aliases="BC")
    edit = FormUnderFuzz(
        client_for(programme_lead),
        reverse("sites:organisation_edit", kwargs={"pk": other.pk}),
        OrganisationForm,
        redirects_to=reverse("sites:organisation_list"),
        shows=[reverse("sites:site_detail", kwargs={"pk": site_a.pk})],
    )

    @FUZZ
    @given(form_data(_organisation_fields([site_a.name, site_b.name])))
    @example({"name": "Brookmere Care", "sector": "voluntary", "aliases": "BC\n<script>alert(1)</script>"})
    @example({"name": "Brookmere Care", "sector": "voluntary", "aliases": "AB Council"})
    def submit(data: dict) -> None:
        edit.submit(data)

    submit()

    edit.assert_accepted_and_refused()


@fuzzes(OrganisationFilterForm, "sites:organisation_list", "programme_lead")
def test_organisation_filter_shows_errors_or_the_organisations(site_a: Site, programme_lead: User) -> None:
    q = text(100, required=False)
    fields = {
        "q": Field(st.one_of(q.valid, st.sampled_from(["ab", "%", "_", "\\"])), q.hostile),
        "page": Field(st.sampled_from(["1", "2", "last"]), hostile),
    }
    organisations = FormUnderFuzz(
        client_for(programme_lead), reverse("sites:organisation_list"), OrganisationFilterForm, method="get"
    )

    @FUZZ
    @given(form_data(fields))
    @example({"q": "<script>alert(1)</script>"})
    @example({"q": "x" * 101})
    def submit(data: dict) -> None:
        organisations.submit(data)

    submit()

    organisations.assert_accepted_and_refused()


@fuzzes(EnablerPoolFilterForm, "engagements:enabler_pool", "programme_lead")
def test_enabler_pool_filter_shows_errors_or_the_enablers(
    enabler: User, other_enabler: User, programme_lead: User
) -> None:
    q = text(100, required=False)
    fields = {
        "q": Field(st.one_of(q.valid, st.sampled_from(["emery", "%", "_"])), q.hostile),
        "showing": choice([value for value, _ in POOL_SHOWING]),
        "page": Field(st.sampled_from(["1", "2", "last"]), hostile),
    }
    pool = FormUnderFuzz(
        client_for(programme_lead), reverse("engagements:enabler_pool"), EnablerPoolFilterForm, method="get"
    )

    @FUZZ
    @given(form_data(fields))
    @example({"q": "<script>alert(1)</script>", "showing": "deactivated"})
    @example({"showing": "the-best"})
    def submit(data: dict) -> None:
        pool.submit(data)

    submit()

    pool.assert_accepted_and_refused()


@fuzzes(EnablerManageForm, "engagements:enabler_manage", "programme_lead")
def test_enabler_manage_form_refuses_with_form_errors(enabler: User, programme_lead: User) -> None:
    """An enabler's profile as the central team keeps it: numbers out of range, unknown sectors and regions."""
    fields = {
        "biography": text(5000, required=False),
        "years_in_health": number(st.integers(0, 70)),
        "years_in_social_care": number(st.integers(0, 70)),
        "sectors": choices(Sector.values),
        "approaches": choices(Approach.values),
        "regions": choices(Region.values),
        "capacity": number(st.integers(0, 10)),
        "available_for_new_work": ON,
    }
    profile = enabler.enabler_profile
    manage = FormUnderFuzz(
        client_for(programme_lead),
        reverse("engagements:enabler_manage", kwargs={"pk": profile.pk}),
        EnablerManageForm,
        redirects_to=reverse("engagements:enabler_pool"),
        shows=[reverse("engagements:enabler_profile_detail", kwargs={"pk": profile.pk})],
    )

    @FUZZ
    @given(form_data(fields))
    @example(
        {
            "biography": "<script>alert(1)</script>",
            "years_in_health": "70",
            "years_in_social_care": "0",
            "capacity": "10",
        }
    )
    @example({"biography": "", "years_in_health": "1", "years_in_social_care": "0", "capacity": "-1"})
    def submit(data: dict) -> None:
        manage.submit(data)

    submit()

    manage.assert_accepted_and_refused()
