"""Deactivating an account ends every one of its sessions there and then, so reactivating it revives none
(finding 6 of the independent security test)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accounts import actions
from accounts.models import AccountSession, User
from tests.helpers.people import client_for, log_in


def _signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_reactivating_an_account_does_not_revive_its_sessions(site_lead: User, administrator: User) -> None:
    laptop, phone = log_in(site_lead), log_in(site_lead)
    bystander = client_for(administrator)

    actions.deactivate_account(user=site_lead, by=administrator)
    actions.reactivate_account(user=site_lead, by=administrator)

    assert not _signed_in(laptop)
    assert not _signed_in(phone)
    assert _signed_in(bystander)
    assert not AccountSession.objects.filter(user=site_lead).exists()


def test_a_deactivation_by_any_route_deletes_the_sessions(site_lead: User) -> None:
    client = log_in(site_lead)
    person = User.objects.get(pk=site_lead.pk)

    person.is_active = False
    person.save()
    person.is_active = True
    person.save()

    assert not _signed_in(client)


def test_each_session_knows_its_account(site_lead: User, site_member: User) -> None:
    log_in(site_lead), log_in(site_member)

    owners = sorted(AccountSession.objects.values_list("user_id", flat=True))

    assert owners == sorted([site_lead.pk, site_member.pk])
