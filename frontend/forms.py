"""Small helpers every app's form views share."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data on a POST, even an empty one (an empty POST is falsy, and must still be validated)."""
    return request.POST if request.method == "POST" else None
