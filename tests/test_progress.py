"""The terminal progress bar of long runs (reprocess)."""

from wirewatch.ingest.progress import bar


def test_the_bar_shows_share_and_counts():
    assert bar(0, 10, width=10) == "[..........]   0% 0/10"
    assert bar(5, 10, width=10) == "[#####.....]  50% 5/10"
    assert bar(0, 0, width=4) == "[####] 100% 0/0"
