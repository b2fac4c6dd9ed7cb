"""New rows are saved a thousand at a time, each still with its own audit event and, for a site, its partners."""

from __future__ import annotations

from accounts.models import AuditEvent, User
from onboarding import imports
from onboarding.imports import organisations
from onboarding.models import ImportJob
from sites.models import Organisation, Programme, Site

from .imports import ORGANISATIONS, SITES, csv_file


def test_more_new_organisations_than_a_batch_are_all_saved_each_with_its_audit_event(
    programme_lead: User, monkeypatch: object
) -> None:
    monkeypatch.setattr(organisations, "CREATE_BATCH", 2)
    content = csv_file(ORGANISATIONS + "".join(f"Trust {number},NHS trust,T{number}\n" for number in range(5)))

    job = imports.import_file(kind="organisations", filename="o.csv", content=content, by=programme_lead)

    assert job.state == ImportJob.State.IMPORTED
    made = Organisation.objects.filter(name__startswith="Trust ")
    assert sorted(made.values_list("aliases", flat=True)) == [f"T{number}" for number in range(5)]
    events = AuditEvent.objects.filter(verb=AuditEvent.Verb.CREATED_AN_ORGANISATION, actor=programme_lead)
    assert sorted(events.values_list("target_id", flat=True)) == sorted(made.values_list("pk", flat=True))


def test_new_sites_are_saved_with_their_partners_and_audited(site_a: Site, programme: Programme) -> None:
    content = csv_file(
        SITES
        + "Eastmoor,Integrated Care Pioneer,2013,London,2,1,yes,Ashvale Borough Council\n"
        + "Westmoor,integrated care pioneer,2013/14,london,1,1,no,\n"
    )

    job = imports.import_file(kind="sites", filename="s.csv", content=content, by=None)

    assert job.state == ImportJob.State.IMPORTED, job.outcome
    eastmoor, westmoor = Site.objects.get(name="Eastmoor"), Site.objects.get(name="Westmoor")
    assert list(eastmoor.partners.values_list("name", flat=True)) == ["Ashvale Borough Council"]
    assert not westmoor.partners.exists()
    assert (eastmoor.council_count, eastmoor.boundaries_overlap) == (2, True)
    created = AuditEvent.objects.filter(verb=AuditEvent.Verb.CREATED_A_SITE, actor=None)
    assert sorted(created.values_list("target_id", flat=True)) == sorted([eastmoor.pk, westmoor.pk])
