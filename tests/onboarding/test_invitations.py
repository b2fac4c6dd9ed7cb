"""Invitations: the only way into Alongside. A single-use link, expiring after 7 days, sent through the outbox."""

from __future__ import annotations

import datetime
import io
import json
import re
import zipfile

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Notification, User
from core.errors import NotAllowed
from engagements.models import EnablerProfile, Offer
from onboarding import actions
from onboarding.models import Invitation
from reporting.subject_access import export_person
from sites import access as site_access
from sites.models import Site, SiteMembership
from tests.helpers.engagements import ask_for_support
from tests.helpers.people import client_for

NEW_PASSWORD = "a-long-and-new-password-for-alongside"


def _invite_enabler(by: User, django_capture_on_commit_callbacks: object) -> tuple[Invitation, str]:
    """Invites Robin as an enabler and returns the invitation with the link from the e-mail."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation = actions.invite(email="Robin.New@Example.test", full_name="Robin New", role="enabler", by=by)
    (message,) = [message for message in mail.outbox if message.to == ["robin.new@example.test"]]
    return invitation, re.search(r"/onboarding/join/\S+/", message.body).group(0)


def _accept(client: Client, link: str, password: str = NEW_PASSWORD) -> object:
    return client.post(link, {"new_password1": password, "new_password2": password})


def test_a_programme_lead_invites_an_enabler_who_sets_a_password_and_lands_home(
    programme_lead: User, django_capture_on_commit_callbacks: object
) -> None:
    invitation, link = _invite_enabler(programme_lead, django_capture_on_commit_callbacks)
    client = Client()

    form_page = client.get(link)
    response = _accept(client, link)

    assert "Join Alongside" in form_page.content.decode()
    assert response.status_code == 302 and response["Location"] == reverse("home")
    person = User.objects.get(email="robin.new@example.test")
    assert person.full_name == "Robin New" and person.check_password(NEW_PASSWORD)
    assert EnablerProfile.objects.filter(user=person).exists()
    assert client.get(reverse("home")).status_code == 200  # signed in
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.ACCEPTED and invitation.accepted_by == person
    assert set(AuditEvent.objects.filter(target_id=invitation.pk).values_list("verb", flat=True)) == {
        AuditEvent.Verb.INVITED,
        AuditEvent.Verb.ACCEPTED_AN_INVITATION,
    }


def test_the_email_is_sent_only_after_the_invitation_is_saved_and_says_nothing_anyone_wrote(
    programme_lead: User, site_a: Site, site_lead: User, offer: Offer, django_capture_on_commit_callbacks: object
) -> None:
    request = ask_for_support(site_a, offer, site_lead)  # what the site wrote, which no invitation may carry
    Site.objects.filter(pk=site_a.pk).update(description="Canary words of the site profile")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.invite(
            email="first.lead@example.test", full_name="Fen Lead", role="site lead", site=site_a, by=programme_lead
        )

        assert mail.outbox == []  # nothing goes before the transaction commits
    for callback in callbacks:
        callback()

    (message,) = mail.outbox
    assert "as a lead of Ashvale" in message.body
    for written in (request.why_now, request.help_wanted, request.who_is_involved, "Canary words"):
        assert written not in message.body and written not in message.subject
    notification = Notification.objects.get(address="first.lead@example.test")
    assert notification.recipient is None  # no account yet: the row is for that mailbox alone


def test_the_link_works_once(programme_lead: User, django_capture_on_commit_callbacks: object) -> None:
    _, link = _invite_enabler(programme_lead, django_capture_on_commit_callbacks)
    _accept(Client(), link)

    again = Client().get(link)

    assert again.status_code == 400
    assert "This invitation does not work" in again.content.decode()
    assert User.objects.filter(email="robin.new@example.test").count() == 1


def test_the_link_expires_after_seven_days(programme_lead: User, django_capture_on_commit_callbacks: object) -> None:
    invitation, link = _invite_enabler(programme_lead, django_capture_on_commit_callbacks)
    lifetime = invitation.expires_at - invitation.sent_at
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = _accept(Client(), link)

    assert response.status_code == 400
    assert not User.objects.filter(email="robin.new@example.test").exists()
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.EXPIRED
    assert lifetime == datetime.timedelta(days=7)


def test_sending_again_makes_a_new_link_and_the_old_one_stops_working(
    programme_lead: User, django_capture_on_commit_callbacks: object
) -> None:
    invitation, old_link = _invite_enabler(programme_lead, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(programme_lead).post(reverse("onboarding:invitation_resend", args=[invitation.pk]))
    new_link = re.search(r"/onboarding/join/\S+/", mail.outbox[0].body).group(0)

    assert response.status_code == 302
    assert new_link != old_link
    assert Client().get(old_link).status_code == 400
    assert _accept(Client(), new_link).status_code == 302
    invitation.refresh_from_db()
    assert invitation.send_count == 2


def test_a_revoked_invitation_cannot_be_accepted(
    programme_lead: User, django_capture_on_commit_callbacks: object
) -> None:
    invitation, link = _invite_enabler(programme_lead, django_capture_on_commit_callbacks)

    client_for(programme_lead).post(reverse("onboarding:invitation_revoke", args=[invitation.pk]))

    assert _accept(Client(), link).status_code == 400
    assert not User.objects.filter(email="robin.new@example.test").exists()
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.REVOKED_AN_INVITATION, target_id=invitation.pk).exists()


def test_the_password_rules_apply_and_a_refusal_keeps_the_invitation(
    programme_lead: User, django_capture_on_commit_callbacks: object
) -> None:
    invitation, link = _invite_enabler(programme_lead, django_capture_on_commit_callbacks)

    response = _accept(Client(), link, password="short")

    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING


def test_no_link_that_alongside_did_not_make_creates_an_account(db: None) -> None:
    response = Client().post(
        reverse("onboarding:invitation_accept", args=["made-up"]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 400
    assert User.objects.count() == 0


def test_an_invitation_to_an_existing_account_adds_the_role_after_signing_in(
    programme_lead: User, site_lead: User, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.invite(email=site_lead.email, full_name=site_lead.full_name, role="enabler", by=programme_lead)
    link = re.search(r"/onboarding/join/\S+/", mail.outbox[-1].body).group(0)

    signed_out = Client().get(link)
    signed_in = client_for(site_lead)
    page = signed_in.get(link)
    accepted = signed_in.post(link)

    assert "Sign in to accept" in signed_out.content.decode()
    assert "Accept your invitation" in page.content.decode()
    assert accepted.status_code == 302
    assert EnablerProfile.objects.filter(user=site_lead).exists()
    assert site_access.is_site_lead(site_lead, site_lead.site_memberships.get().site)  # nothing else changed


def test_someone_signed_in_to_another_account_is_asked_to_sign_out(
    programme_lead: User, enabler: User, django_capture_on_commit_callbacks: object
) -> None:
    _, link = _invite_enabler(programme_lead, django_capture_on_commit_callbacks)

    page = client_for(enabler).get(link)
    posted = client_for(enabler).post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert "This invitation is for someone else" in page.content.decode()
    assert posted.status_code == 200
    assert not User.objects.filter(email="robin.new@example.test").exists()


def test_a_person_who_already_has_the_role_is_not_invited_again(programme_lead: User, enabler: User) -> None:
    response = client_for(programme_lead).post(
        reverse("onboarding:invitation_list"), {"email": enabler.email, "full_name": "E", "role": "enabler"}
    )

    assert response.status_code == 200
    assert "already has an account as an enabler" in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_the_same_person_twice_sends_the_waiting_invitation_again(programme_lead: User) -> None:
    first = actions.invite(email="robin@example.test", full_name="Robin", role="enabler", by=programme_lead)

    second = actions.invite(email="ROBIN@example.test", full_name="Robin", role="enabler", by=programme_lead)

    assert second.pk == first.pk and second.send_count == 2
    assert Invitation.objects.count() == 1


def test_a_site_lead_invites_a_member_who_accepts(
    site_lead: User, site_a: Site, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(site_lead).post(
            reverse("onboarding:site_people", args=[site_a.pk]),
            {"email": "new.member@example.test", "full_name": "Nico Member", "job_title": "Programme manager"},
        )
    link = re.search(r"/onboarding/join/\S+/", mail.outbox[-1].body).group(0)
    _accept(Client(), link)

    assert response.status_code == 302
    person = User.objects.get(email="new.member@example.test")
    assert site_access.site_role(person, site_a) is not None
    assert not site_access.is_site_lead(person, site_a)
    assert person.job_title == "Programme manager"


def test_a_site_lead_invites_members_only(site_lead: User, site_a: Site) -> None:
    with pytest.raises(NotAllowed):
        actions.invite(email="x@example.test", full_name="X", role="enabler", by=site_lead)
    with pytest.raises(NotAllowed):
        actions.invite(email="x@example.test", full_name="X", role="site lead", site=site_a, by=site_lead)


def test_a_site_member_who_is_not_a_lead_cannot_manage_the_sites_people(site_member: User, site_a: Site) -> None:
    response = client_for(site_member).get(reverse("onboarding:site_people", args=[site_a.pk]))

    assert response.status_code == 404


def test_a_site_lead_makes_a_member_a_lead_and_removes_a_member(
    site_lead: User, site_member: User, site_a: Site
) -> None:
    membership = SiteMembership.objects.get(user=site_member, site=site_a)
    client = client_for(site_lead)

    client.post(reverse("onboarding:membership_make_lead", args=[membership.pk]))
    promoted = site_access.is_site_lead(site_member, site_a)
    client.post(reverse("onboarding:membership_remove", args=[membership.pk]))

    assert promoted
    assert site_access.site_role(site_member, site_a) is None
    assert User.objects.filter(pk=site_member.pk, is_active=True).exists()  # the account and its records stay
    verbs = set(AuditEvent.objects.filter(actor=site_lead).values_list("verb", flat=True))
    assert {AuditEvent.Verb.MADE_A_SITE_LEAD, AuditEvent.Verb.REMOVED_FROM_A_SITE} <= verbs


def test_a_site_keeps_at_least_one_lead(site_lead: User, site_a: Site) -> None:
    membership = SiteMembership.objects.get(user=site_lead, site=site_a)

    response = client_for(site_lead).post(reverse("onboarding:membership_remove", args=[membership.pk]), follow=True)

    assert "only lead: make someone else a lead first" in response.content.decode()
    assert site_access.is_site_lead(site_lead, site_a)


def test_another_sites_lead_cannot_touch_this_sites_people(
    other_site_lead: User, site_member: User, site_a: Site
) -> None:
    membership = SiteMembership.objects.get(user=site_member, site=site_a)

    response = client_for(other_site_lead).post(reverse("onboarding:membership_remove", args=[membership.pk]))

    assert response.status_code == 404
    assert site_access.site_role(site_member, site_a) is not None


def test_the_central_team_sees_invitations_for_enablers_and_leads_not_a_sites_invitations_of_its_members(
    programme_lead: User, site_lead: User, site_a: Site
) -> None:
    for_an_enabler = actions.invite(email="e@example.test", full_name="E", role="enabler", by=programme_lead)
    for_a_lead = actions.invite(email="l@example.test", full_name="L", role="site lead", site=site_a, by=programme_lead)
    for_a_member = actions.invite(email="m@example.test", full_name="M", role="site member", site=site_a, by=site_lead)

    centre = set(Invitation.objects.visible_to(programme_lead))
    site = set(Invitation.objects.visible_to(site_lead))

    assert centre == {for_an_enabler, for_a_lead}
    assert site == {for_a_lead, for_a_member}


def test_accepting_a_site_lead_invitation_makes_the_first_lead(
    programme_lead: User, site_b: Site, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(programme_lead).post(
            reverse("onboarding:site_people", args=[site_b.pk]),
            {"email": "first@example.test", "full_name": "Fen First"},
        )
    link = re.search(r"/onboarding/join/\S+/", mail.outbox[-1].body).group(0)

    _accept(Client(), link)

    assert site_access.is_site_lead(User.objects.get(email="first@example.test"), site_b)


def test_the_invited_persons_data_export_holds_the_invitation(
    programme_lead: User, django_capture_on_commit_callbacks: object
) -> None:
    _, link = _invite_enabler(programme_lead, django_capture_on_commit_callbacks)
    _accept(Client(), link)
    person = User.objects.get(email="robin.new@example.test")

    with zipfile.ZipFile(io.BytesIO(export_person(person))) as archive:
        rows = json.loads(archive.read("invitations.json"))
    with zipfile.ZipFile(io.BytesIO(export_person(programme_lead))) as archive:
        sent = json.loads(archive.read("invitations.json"))

    assert [(row["as"], row["state"], row["invited_by"]) for row in rows] == [("an enabler", "Accepted", "Pat Central")]
    assert [(row["to"], row["sent_by_this_person"]) for row in sent] == [("robin.new@example.test", True)]


def test_a_new_programme_lead_is_asked_to_set_up_two_factor_before_anything_else(
    programme_lead: User, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.invite(email="quinn@example.test", full_name="Quinn Lead", role="programme lead", by=programme_lead)
    link = re.search(r"/onboarding/join/\S+/", mail.outbox[-1].body).group(0)
    client = Client()

    _accept(client, link)
    queue = client.get(reverse("engagements:queue"))

    assert User.objects.get(email="quinn@example.test").is_programme_lead
    assert queue.status_code == 302 and queue["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_a_sites_people_page_costs_the_same_queries_with_many_invitations(
    site_lead: User, site_a: Site, django_assert_num_queries: object
) -> None:
    client = client_for(site_lead)
    url = reverse("onboarding:site_people", args=[site_a.pk])
    actions.invite(email="one@example.test", full_name="One", role="site member", site=site_a, by=site_lead)
    client.get(url)  # the session and the person warm up
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in range(10):
        actions.invite(email=f"m{number}@example.test", full_name="M", role="site member", site=site_a, by=site_lead)

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)

    assert response.content.decode().count("Waiting to be accepted") == 11
