"""The forms of bringing a programme on board: invitations, programme years and offers, and the import upload."""

from __future__ import annotations

from django import forms

from .models import ImportJob


class ImportUploadForm(forms.Form):
    """A CSV or Excel file of one kind of record, to check (a dry run) before anything is saved."""

    kind = forms.ChoiceField(label="What the file holds", choices=ImportJob.Kind.choices, widget=forms.RadioSelect)
    file = forms.FileField(
        label="The file", help_text="A CSV file (UTF-8) or an Excel workbook (.xlsx), with a header row."
    )
