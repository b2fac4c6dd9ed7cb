"""Fuzzing the forms of bringing a programme on board: invitations (sent and accepted), programme years, offers."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.models import User
from engagements.models import Offer
from onboarding import actions
from onboarding.forms import AcceptInvitationForm, InviteForm, OfferForm, ProgrammeForm, SiteInviteForm
from onboarding.models import Invitation
from sites.models import Programme, Site
from tests.helpers.people import client_for

from .harness import FormUnderFuzz, fuzzes
from .strategies import (
    EMAILS,
    FUZZ,
    NOT_EMAILS,
    Field,
    choice,
    choices,
    form_data,
    hostile,
    new_passwords,
    number,
    text,
)

PEOPLE = {
    "email": Field(st.one_of(EMAILS, st.sampled_from(["enabler@example.test", "lead.a@example.test"])), NOT_EMAILS),
    "full_name": text(150),
    "job_title": text(150, required=False),
}


@fuzzes(InviteForm, "onboarding:invitation_list", "programme_lead")
def test_invite_form_refuses_with_form_errors(programme_lead: User, enabler: User, site_lead: User) -> None:
    """Anyone may be invited as an enabler or programme lead, except a person who already is one."""
    invite = FormUnderFuzz(
        client_for(programme_lead),
        reverse("onboarding:invitation_list"),
        InviteForm,
        redirects_to=reverse("onboarding:invitation_list"),
    )
    fields = {
        **PEOPLE,
        "role": Field(
            st.sampled_from(["enabler", "programme lead"]),
            st.one_of(choice(["site lead", "site member", "administrator"]).valid, hostile),
        ),
    }

    @FUZZ
    @given(form_data(fields))
    @example({"email": "robin@example.test", "full_name": "<b>Robin</b>", "role": "enabler"})
    @example({"email": enabler.email, "full_name": "Emery", "role": "enabler"})
    def submit(data: dict) -> None:
        invite.submit(data)

    submit()

    invite.assert_accepted_and_refused()


@fuzzes(SiteInviteForm, "onboarding:site_people", "site_lead")
def test_site_invite_form_refuses_with_form_errors(site_lead: User, site_member: User, site_a: Site) -> None:
    """A site's lead invites members; someone who is one already is refused beside the address."""
    invite = FormUnderFuzz(
        client_for(site_lead),
        reverse("onboarding:site_people", args=[site_a.pk]),
        SiteInviteForm,
        redirects_to=reverse("onboarding:site_people", args=[site_a.pk]),
    )

    @FUZZ
    @given(form_data(PEOPLE))
    @example({"email": "nico@example.test", "full_name": "Nico", "job_title": "<script>alert(1)</script>"})
    @example({"email": site_member.email, "full_name": "Ash"})
    def submit(data: dict) -> None:
        invite.submit(data)

    submit()

    invite.assert_accepted_and_refused()


def _fresh_link(programme_lead: User, capture: object) -> str:
    """A new invitation for a new address, and the link from its e-mail (sent once the invitation is saved)."""
    number = Invitation.objects.count() + 1
    with capture(execute=True):
        actions.invite(email=f"invited.{number}@example.test", full_name="Robin New", role="enabler", by=programme_lead)
    return re.search(r"/onboarding/join/\S+/", mail.outbox[-1].body).group(0)


@fuzzes(AcceptInvitationForm, "onboarding:invitation_accept", "anonymous")
def test_accept_invitation_form_refuses_with_form_errors(
    programme_lead: User, django_capture_on_commit_callbacks: object
) -> None:
    """Setting the new account's password from the link; after each acceptance, a new person's link, signed out."""
    client = Client()

    accept = FormUnderFuzz(
        client,
        _fresh_link(programme_lead, django_capture_on_commit_callbacks),
        AcceptInvitationForm,
        redirects_to=reverse("home"),
    )

    @FUZZ
    @given(new_passwords("new_password1", "new_password2"))
    @example({"new_password1": "moss lantern quietly ferry", "new_password2": "moss lantern quietly ferry"})
    @example({"new_password1": "moss lantern quietly ferry", "new_password2": "moss lantern quietly fern"})
    def submit(data: dict) -> None:
        if accept.submit(data):
            client.logout()
            accept.url = _fresh_link(programme_lead, django_capture_on_commit_callbacks)

    submit()

    accept.assert_accepted_and_refused()


@fuzzes(ProgrammeForm, "onboarding:programme_create", "programme_lead")
def test_programme_form_refuses_with_form_errors(programme_lead: User, programme: Programme) -> None:
    """A programme year that exists already is refused like a year that is not a year."""
    create = FormUnderFuzz(
        client_for(programme_lead),
        reverse("onboarding:programme_create"),
        ProgrammeForm,
        redirects_to=reverse("onboarding:programme_list"),
    )
    fields = {
        "kind": choice(Programme.Kind.values),
        "year": number(st.integers(2010, 2100)),
        "description": text(5000, required=False),
    }

    @FUZZ
    @given(form_data(fields))
    @example({"kind": "vanguard", "year": "2015", "description": "<b>New care models</b>"})
    @example({"kind": programme.kind, "year": str(programme.year)})
    def submit(data: dict) -> None:
        create.submit(data)

    submit()

    create.assert_accepted_and_refused()


@fuzzes(OfferForm, "onboarding:offer_create", "programme_lead")
def test_offer_form_refuses_with_form_errors(objects: dict, programme_lead: User, programme: Programme) -> None:
    """An offer cites published lessons only: a draft's id is refused like an id that does not exist."""
    create = FormUnderFuzz(
        client_for(programme_lead),
        reverse("onboarding:offer_create", args=[programme.pk]),
        OfferForm,
        redirects_to=reverse("onboarding:programme_list"),
        shows=[reverse("onboarding:programme_list")],
    )
    published = [objects["published_a"].pk, objects["published_b"].pk]
    fields = {
        "name": text(200),
        "description": text(5000),
        "provider": text(200),
        "cadence": choice(Offer.Cadence.values),
        "day_allowance": number(st.decimals(0, 999, places=1)),
        "starts_with_diagnostic": Field(st.sampled_from(["", "on"]), hostile),
        "lessons": choices(published, elsewhere=[objects["lesson_a"].pk]),
    }
    plausible = {"name": "Vanguard support", "description": "Weekly", "provider": "Central", "cadence": "weekly"}

    @FUZZ
    @given(form_data(fields))
    @example({**plausible, "lessons": published, "day_allowance": "5"})
    @example({**plausible, "lessons": [objects["lesson_a"].pk], "day_allowance": "-1"})
    def submit(data: dict) -> None:
        create.submit(data)

    submit()

    create.assert_accepted_and_refused()
