"""Finding 5 of issue 33: codes texted to confirm a mobile number are limited per person and per number, counted
from the texts kept in the database (accounts.Notification), not per number per minute alone: alternating two
numbers sent a text on every request."""

from __future__ import annotations

import pytest
from django.urls import reverse
from time_machine import TimeMachineFixture

from accounts import actions, phones
from accounts.models import Notification, User
from core.errors import NotAllowed
from tests.fake_notify.fixtures import FakeNotify
from tests.fake_notify.fixtures import fake_notify as fake_notify  # the fixture
from tests.helpers.people import client_for

NUMBERS = ("+447700900982", "+447700900983")


@pytest.fixture(autouse=True)
def _through_notify(fake_notify: FakeNotify, settings: object) -> None:
    fake_notify.configure(settings)


def _codes_texted() -> int:
    return Notification.objects.filter(channel="text", kind=phones.CODE_KIND).count()


def _ask(client: object, number: str) -> str:
    return client.post(reverse("accounts:mobile"), {"number": number}).content.decode()  # type: ignore[attr-defined]


def test_alternating_two_numbers_texts_one_code_a_minute(site_lead: User) -> None:
    client = client_for(site_lead)

    pages = [_ask(client, NUMBERS[turn % 2]) for turn in range(4)]

    assert _codes_texted() == 1
    assert all("less than a minute ago" in page for page in pages[1:])


def test_a_person_is_texted_at_most_five_codes_an_hour_whatever_the_number(
    site_lead: User, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to("2026-11-26 09:00", tick=False)
    client = client_for(site_lead)
    for turn in range(phones.CODES_AN_HOUR):
        _ask(client, NUMBERS[turn % 2])
        time_machine.shift(61)

    refused = _ask(client, NUMBERS[1])
    time_machine.move_to("2026-11-26 10:00:01", tick=False)
    _ask(client_for(site_lead), NUMBERS[0])  # signed in afresh: the first session has been idle too long

    assert "We have texted 5 codes to you in the last hour" in refused
    assert "You can ask for a new code after 10am." in refused
    assert _codes_texted() == phones.CODES_AN_HOUR + 1  # the sixth, an hour after the first


def test_a_number_is_texted_at_most_five_codes_an_hour_whoever_asks(db: None) -> None:
    people = [User.objects.create_user(f"person.{n}@example.test", None, full_name=f"Person {n}") for n in range(6)]
    for person in people[:-1]:
        actions.ask_to_confirm_mobile(user=person, number=NUMBERS[0])

    with pytest.raises(NotAllowed, match="We have texted 5 codes to that number in the last hour"):
        actions.ask_to_confirm_mobile(user=people[-1], number=NUMBERS[0])

    assert Notification.objects.filter(channel="text", phone=NUMBERS[0]).count() == phones.CODES_AN_HOUR
