from __future__ import annotations

import pytest

from sites.models import Site


@pytest.mark.parametrize(
    ("councils", "commissioners", "overlap", "expected"),
    [
        (1, 1, False, "1 council and 1 CCG or ICB, shared boundaries"),
        (2, 4, True, "2 councils and 4 CCGs or ICBs, overlapping boundaries"),
    ],
)
def test_geography_reads_as_plain_words(councils: int, commissioners: int, overlap: bool, expected: str) -> None:
    site = Site(council_count=councils, commissioner_count=commissioners, boundaries_overlap=overlap)

    assert site.geography == expected
