"""For every published demo lesson, nothing a programme lead can see about it names a site, organisation, alias,
person or place of the registry."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from lessons.models import KNOWN_PLACES, Lesson
from sites.models import Organisation, Site
from tests.helpers.people import client_for


def _main(html: str) -> str:
    """The page's own content: the header carries the reader's own name, which is not about the lesson."""
    return html.split('id="maincontent"', 1)[-1]


def _names() -> list[str]:
    names = [*Site.objects.values_list("name", flat=True), *KNOWN_PLACES]
    for organisation in Organisation.objects.all():
        names += [organisation.name, *organisation.alias_list]
    for full_name in User.objects.exclude(full_name="").values_list("full_name", flat=True):
        names += [full_name, full_name.split()[-1]]
    return sorted(set(names))


@pytest.mark.django_db
def test_no_published_demo_lesson_names_anything_in_the_registry(settings: object) -> None:
    call_command("seed_demo", stdout=StringIO())
    lead = User.objects.get(email="programme.lead@example.org")
    client = client_for(lead)
    published = list(Lesson.objects.published().prefetch_related("themes"))
    assert len(published) >= 20

    pages = [_main(client.get(reverse("lessons:library"), {"page": page}).content.decode()) for page in (1, 2)]
    pages.append(client.get(reverse("lessons:library_export")).content.decode())
    for lesson in published:
        pages.append(_main(client.get(reverse("lessons:lesson_detail", kwargs={"pk": lesson.pk})).content.decode()))
        for theme in lesson.themes.all():
            pages.append(client.get(reverse("lessons:theme_pack", kwargs={"slug": theme.slug})).content.decode())

    text = "\n".join(pages)
    assert "Agree the purpose before the plan" in text  # the pages do show the lessons
    found = [name for name in _names() if re.search(rf"\b{re.escape(name)}\b", text)]
    assert found == []
