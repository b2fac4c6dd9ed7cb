"""Every change to a lesson, a theme or a digest subscription: one transaction each, the lesson row locked where
both parties can act at once, its audit event in the same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.access import is_central_team
from accounts.models import AuditEvent, User
from accounts.notifications import notify
from core import memo
from core.errors import NotAllowed
from engagements import access as engagement_access
from engagements.models import Engagement, Feedback

from . import access, anonymiser
from .models import DigestSubscription, Lesson, LibraryEdition, Theme, anonymised_feedback

Verb = AuditEvent.Verb


@transaction.atomic
def draft_lesson(
    *, engagement: Engagement, by: User, title: str, body: str, audience: str, themes: Iterable[Theme]
) -> Lesson:
    """A party to the engagement drafts a lesson; only its anonymised words are ever stored."""
    if not engagement_access.is_party(by, engagement):
        raise NotAllowed("Lessons are drafted by the site or the enabler of the engagement.")
    title, body = Lesson.anonymised(title, body)
    lesson = Lesson.objects.create(
        engagement=engagement,
        created_by=by,
        title=title,
        body=body,
        audience=audience,
        programme_id=engagement.site.programme_id,
        year=timezone.localtime(engagement.created_at).year,
    )
    lesson.themes.set(themes)
    AuditEvent.record(actor=by, verb=Verb.DRAFTED_A_LESSON, target=lesson)
    return lesson


def _locked(lesson: Lesson) -> Lesson:
    return Lesson.objects.select_for_update().select_related("engagement").get(pk=lesson.pk)


@transaction.atomic
def revise_lesson(*, lesson: Lesson, by: User, title: str, body: str, audience: str, themes: Iterable[Theme]) -> Lesson:
    """Any edit runs the anonymiser again and withdraws both approvals: a new version to agree."""
    lesson = _locked(lesson)
    if not engagement_access.is_party(by, lesson.engagement):
        raise NotAllowed("Lessons are written by the site or the enabler of the engagement.")
    was_published = lesson.revise(title=title, body=body, audience=audience)
    lesson.themes.set(themes)
    if was_published:
        _left_the_library()
    AuditEvent.record(
        actor=by, verb=Verb.REVISED_A_LESSON, target=lesson, version=lesson.version, unpublished=was_published
    )
    return lesson


def _party(by: User, lesson: Lesson) -> str:
    party = access.consenting_party(by, lesson)
    if party is None:
        raise NotAllowed("A lesson is approved by the site's lead and by the enabler.")
    return party


@transaction.atomic
def approve_lesson(*, lesson: Lesson, by: User, version: int) -> Lesson:
    """Approve the exact words of one version; both approvals of the current version publish it."""
    lesson = _locked(lesson)
    lesson.approve(by=by, party=_party(by, lesson), version=version)
    if lesson.state == Lesson.State.PUBLISHED:
        LibraryEdition.next()  # in the library from now: pages of results kept before do not have it
    AuditEvent.record(actor=by, verb=Verb.APPROVED_A_LESSON, target=lesson, version=version)
    return lesson


def _left_the_library() -> None:
    """With the change, a new library edition, so no kept page of results is read again; once it is saved, no kept
    lesson card or theme count outlives it (core/memo.py): the cards were already unreachable, as their keys name
    each lesson shown; now they are not even kept."""
    LibraryEdition.next()
    transaction.on_commit(memo.forget_fragments)
    transaction.on_commit(lambda: memo.forget(("library-themes",)))


@transaction.atomic
def withdraw_consent(*, lesson: Lesson, by: User) -> Lesson:
    """Either party takes back consent at any time: the lesson leaves the library at once. The lesson row is
    locked, so two withdrawals at the same moment each see the other's and neither is lost."""
    lesson = _locked(lesson)
    was_published = lesson.state == Lesson.State.PUBLISHED
    lesson.withdraw_consent(party=_party(by, lesson))
    if was_published:
        _left_the_library()
    AuditEvent.record(actor=by, verb=Verb.WITHDREW_CONSENT_TO_A_LESSON, target=lesson)
    return lesson


@transaction.atomic
def add_theme(*, by: User, name: str, description: str) -> Theme:
    if not is_central_team(by):
        raise NotAllowed("Themes are added by the central team.")
    return Theme.objects.create(name=name, slug=Theme.slug_for(name), description=description)


@transaction.atomic
def toggle_digest(*, by: User) -> bool:
    """Subscribe to the weekly e-mail of new lessons, or stop it. Returns whether the person is subscribed now."""
    if not is_central_team(by):
        raise NotAllowed("The weekly digest is for the central team.")
    if DigestSubscription.objects.filter(user=by).delete()[0]:
        return False
    DigestSubscription.objects.get_or_create(user=by)
    return True


@transaction.atomic
def send_lessons_digest(*, now: datetime.datetime) -> tuple[int, int]:
    """The titles of lessons published in the week before `now`, to the programme leads who asked. Returns how
    many lessons and how many readers."""
    since = now - datetime.timedelta(days=7)
    lessons = list(Lesson.objects.published().filter(published_at__gte=since).order_by("-published_at")[:50])
    if not lessons:
        return 0, 0
    readers = [s.user for s in DigestSubscription.objects.filter(user__in=User.objects.central_team())]
    titles = "\n".join(f"- {lesson.title}" for lesson in lessons)
    notify(
        recipients=readers,
        kind="lessons-digest",
        subject=f"{len(lessons)} new lesson{'s' if len(lessons) != 1 else ''} in the library",
        body=f"Published in the last week:\n{titles}",
        link=reverse("lessons:library"),
    )
    return len(lessons), len(readers)


# Shared words: feedback words (what helped) a lead of the site lets the central team read, anonymised, once they
# approved the exact words (docs/privacy.md). The feedback row is locked: the author may have the check open twice.


def _locked_feedback(feedback: Feedback, by: User) -> Feedback:
    feedback = Feedback.objects.select_for_update().select_related("engagement").get(pk=feedback.pk)
    if feedback.given_by_id != by.pk:
        raise NotAllowed("Shared words are checked by the person who wrote them.")
    return feedback


@transaction.atomic
def approve_shared_words(*, feedback: Feedback, by: User, seen: str) -> Feedback:
    """The author, a lead of the site, approves the anonymised words they read (`seen` is their digest, from the
    check page): the words are anonymised again here, and approved only if they are still exactly those."""
    feedback = _locked_feedback(feedback, by)
    if not access.approves_shared_words(by, feedback):
        raise NotAllowed("Only a lead of the site can let the central team read its words.")
    anonymised = anonymised_feedback(feedback.what_helped).text
    if anonymiser.is_empty_once_anonymised(anonymised):
        raise NotAllowed("Nothing is left once names are removed. Say what helped, not who or where.")
    fields = feedback.approve_shared_words(anonymised=anonymised, seen=seen, now=timezone.now())
    feedback.save(update_fields=fields)
    AuditEvent.record(actor=by, verb=Verb.APPROVED_SHARED_WORDS, target=feedback.engagement, feedback=feedback.pk)
    return feedback


@transaction.atomic
def change_what_helped(*, feedback: Feedback, by: User, what_helped: str) -> Feedback:
    """The author changes what helped: any approval is forgotten, so the new words are approved again first."""
    feedback = _locked_feedback(feedback, by)
    fields = feedback.change_what_helped(what_helped=what_helped)
    feedback.save(update_fields=fields)
    AuditEvent.record(actor=by, verb=Verb.CHANGED_FEEDBACK_WORDS, target=feedback.engagement, feedback=feedback.pk)
    return feedback


@transaction.atomic
def withdraw_shared_words(*, feedback: Feedback, by: User) -> Feedback:
    """The author takes back their yes at any time, before the quarter's words are released or after: from then on
    the central team's overview and its export no longer have these words."""
    feedback = _locked_feedback(feedback, by)
    fields = feedback.withdraw_shared_words()
    feedback.save(update_fields=fields)
    AuditEvent.record(actor=by, verb=Verb.WITHDREW_SHARED_WORDS, target=feedback.engagement, feedback=feedback.pk)
    return feedback
