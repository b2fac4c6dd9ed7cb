"""WhiteNoise, plus NHS.UK frontend's icons at /assets/, where its stylesheet expects them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the assets folder: the package holds thousands of source files that must not be scanned per start.
        self.add_files(str(settings.NHSUK_ASSETS), prefix="assets/")
