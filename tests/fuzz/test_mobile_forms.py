"""Fuzzing the forms of text reminders: a mobile number, the code texted to it, and the reminders' checkbox. Any
person may keep a number, so the site's lead stands for everyone."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from accounts import phones
from accounts.forms import MobileCodeForm, MobileNumberForm, TextRemindersForm
from accounts.models import MobileNumber, User
from tests.fake_notify.fixtures import FakeNotify
from tests.fake_notify.fixtures import fake_notify as fake_notify  # the fixture
from tests.helpers.people import client_for

from .harness import FormUnderFuzz, fuzzes
from .strategies import FUZZ, Field, form_data

CODE = "482913"
numbers = Field(
    st.sampled_from(["07700 900982", "+44 7700 900 983", "447700900984", "07700-900-985", "+44 (0)7700 900986"])
)


@fuzzes(MobileNumberForm, "accounts:mobile", "site_lead")
def test_mobile_number_form_refuses_with_form_errors(
    fake_notify: FakeNotify, settings: object, site_lead: User
) -> None:
    fake_notify.configure(settings)
    add = FormUnderFuzz(
        client_for(site_lead),
        reverse("accounts:mobile"),
        MobileNumberForm,
        redirects_to=reverse("accounts:mobile_confirm"),
    )

    @FUZZ
    @given(form_data({"number": numbers}))
    @example({"number": "07700 900982"})
    @example({"number": "020 7946 0000"})
    def submit(data: dict) -> None:
        if add.submit(data):
            MobileNumber.objects.filter(person=site_lead).delete()  # so that the next may ask for a code at once

    submit()

    add.assert_accepted_and_refused()


@fuzzes(MobileCodeForm, "accounts:mobile_confirm", "site_lead")
def test_mobile_code_form_refuses_with_form_errors(site_lead: User) -> None:
    def waiting_for_the_code() -> None:
        number = "+447700900982"
        MobileNumber.objects.update_or_create(
            person=site_lead,
            defaults={
                "number": number,
                "confirmed_at": None,
                "code_digest": phones.digest(CODE, number),
                "code_sent_at": timezone.now(),
                "code_attempts": 0,
            },
        )

    waiting_for_the_code()
    confirm = FormUnderFuzz(
        client_for(site_lead),
        reverse("accounts:mobile_confirm"),
        MobileCodeForm,
        redirects_to=reverse("accounts:mobile"),
    )

    @FUZZ
    @given(form_data({"code": Field(st.sampled_from([CODE, "000000", "12345", "4829 13"]))}))
    @example({"code": CODE})
    @example({"code": "999999"})
    def submit(data: dict) -> None:
        confirm.submit(data)
        waiting_for_the_code()  # a code again, and its tries afresh, for the next example

    submit()

    confirm.assert_accepted_and_refused()


@fuzzes(TextRemindersForm, "accounts:mobile", "site_lead")
def test_text_reminders_form_accepts_anything_as_on_or_off(site_lead: User) -> None:
    MobileNumber.objects.create(person=site_lead, number="+447700900982", confirmed_at=timezone.now())
    choose = FormUnderFuzz(
        client_for(site_lead), reverse("accounts:mobile"), TextRemindersForm, redirects_to=reverse("accounts:mobile")
    )

    @FUZZ
    @given(form_data({"text_reminders": Field(st.sampled_from(["on", ""]))}))
    @example({"text_reminders": "on"})
    @example({})
    def submit(data: dict) -> None:
        choose.submit(data)

    submit()

    choose.assert_accepted_and_refused(refusable=False)
