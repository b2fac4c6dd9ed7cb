"""What an administrator can and cannot do to another person's account (finding 3 of the independent security
test): never see or set their password, nor change the address a reset link goes to; only send a reset link to
the person's own address, deactivate, reactivate or remove two-factor, each an audit event and a notice to the
person. The same notice reaches a person whenever their password or two-factor changes by any route."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import actions, two_factor
from accounts.models import AuditEvent, User
from tests.helpers.people import DEMO_TOTP_SECRET, PASSWORD, client_for


@pytest.fixture(autouse=True)
def _delivered(mail_after_each_request: None) -> None:
    """Each request's e-mails are delivered as it ends."""


def _admin_action(administrator: User, action: str, person: User) -> object:
    return client_for(administrator).post(
        reverse("admin:accounts_user_changelist"), {"action": action, "_selected_action": [person.pk]}, follow=True
    )


def _subjects(person: User) -> list[str]:
    return [message.subject for message in mail.outbox if message.to == [person.email]]


def test_the_admin_never_shows_a_password_hash(administrator: User, enabler: User) -> None:
    page = client_for(administrator).get(reverse("admin:accounts_user_change", args=[enabler.pk])).content.decode()

    assert enabler.password not in page
    assert enabler.password.split("$")[-1] not in page
    assert "algorithm" not in page.lower()


def test_the_admin_cannot_set_a_password(administrator: User, enabler: User) -> None:
    url = reverse("admin:auth_user_password_change", args=[enabler.pk])
    client = client_for(administrator)
    known = "a new one the admin knows"

    form = client.get(url)
    posted = client.post(url, {"password1": known, "password2": known})

    enabler.refresh_from_db()
    assert form.status_code == 404 and posted.status_code == 404
    assert enabler.check_password(PASSWORD)
    assert not enabler.check_password(known)


def test_the_admin_cannot_change_the_address_a_reset_link_goes_to(administrator: User, enabler: User) -> None:
    url = reverse("admin:accounts_user_change", args=[enabler.pk])

    client_for(administrator).post(
        url,
        {
            "email": "admin.owns.this@example.test",
            "full_name": "Emery Enabler",
            "is_active": "on",
            "date_joined_0": "2026-11-01",
            "date_joined_1": "09:00:00",
        },
    )

    enabler.refresh_from_db()
    assert enabler.email == "enabler@example.test"


def test_a_reset_link_goes_to_the_person_is_audited_and_changes_nothing_yet(administrator: User, enabler: User) -> None:
    _admin_action(administrator, "send_password_reset_link", enabler)

    enabler.refresh_from_db()
    assert _subjects(enabler) == ["Your password was reset by an administrator"]
    assert "/accounts/password-reset/" in mail.outbox[0].body
    assert enabler.check_password(PASSWORD)
    assert AuditEvent.objects.filter(actor=administrator, verb="sent a password reset link", target_id=enabler.pk)


def test_removing_two_factor_is_audited_and_told(administrator: User, programme_lead: User) -> None:
    two_factor.set_up_known_secret(programme_lead, DEMO_TOTP_SECRET)

    _admin_action(administrator, "remove_two_factor", programme_lead)

    assert not two_factor.has_authenticator(programme_lead)
    assert _subjects(programme_lead) == ["Your two-factor was removed by an administrator"]
    assert AuditEvent.objects.filter(actor=administrator, verb="turned off two-factor", target_id=programme_lead.pk)


def test_deactivating_is_audited_and_told(administrator: User, enabler: User) -> None:
    _admin_action(administrator, "deactivate", enabler)

    enabler.refresh_from_db()
    assert not enabler.is_active
    assert _subjects(enabler) == ["Your Alongside account was deactivated"]
    assert AuditEvent.objects.filter(actor=administrator, verb="deactivated account", target_id=enabler.pk)


def test_device_pages_of_their_own_are_not_in_the_admin(administrator: User) -> None:
    client = client_for(administrator)

    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


def test_a_new_account_made_in_the_admin_gets_a_link_to_set_its_own_password(administrator: User) -> None:
    client_for(administrator).post(
        reverse("admin:accounts_user_add"), {"email": "New.Person@Example.test", "full_name": "Noa New"}
    )

    person = User.objects.get(email="new.person@example.test")
    assert not person.has_usable_password()
    assert _subjects(person) == ["Your password was reset by an administrator"]


def test_a_password_set_from_a_reset_link_is_told_to_the_person(site_lead: User) -> None:
    client = Client()
    form = client.get(actions.password_reset_path(site_lead), follow=True)
    new = "a brand new passphrase for the test"

    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

    site_lead.refresh_from_db()
    assert site_lead.check_password(new)
    assert _subjects(site_lead) == ["Your Alongside password was changed"]


def test_a_password_set_outside_the_app_is_told_to_the_person(
    site_lead: User, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        site_lead.set_password("an operator typed this one")  # as manage.py changepassword does
        site_lead.save()

    assert _subjects(site_lead) == ["Your Alongside password was changed"]


def test_the_persons_own_two_factor_changes_are_told(
    site_lead: User, django_capture_on_commit_callbacks: Callable
) -> None:
    two_factor.set_up_known_secret(site_lead, DEMO_TOTP_SECRET)

    with django_capture_on_commit_callbacks(execute=True):
        two_factor.turn_off(site_lead, by=site_lead)

    assert _subjects(site_lead) == ["Two-factor was turned off on your Alongside account"]
