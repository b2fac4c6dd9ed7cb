"""What every layer may raise: a change the rules do not allow now."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class NotAllowed(ValidationError):
    """A change that the rules do not allow now. Its message is shown to the person as it is."""

    def text(self) -> str:
        """The message as one sentence or several, for a page's error summary or a flash message."""
        return " ".join(self.messages)
