"""Which version of each report goes online: the new one when it passed, else the last one published.

A report is published when it converted and no finding about it is an error (a privacy finding,
a bad character, a clash …). When the new version of a published report fails — a sidecar typo, an
unreadable file, a duplicate, a privacy error — the version online stays online, whole: its page,
its data file, its download and its search entry are all made from the record published last
(kept in the catalog, ``published/``), and the raw file offered for download is the copy already in
the site (its hash is the record's: the changed raw file is never offered). A report that was
never published, or whose published copy is gone, stays off the site until it passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Diagnostic
from ..record import ReportRecord
from ..site.data import source_uri
from .catalog import Catalog
from .collect import Collected


@dataclass
class Publication:
    """The reports that go online in this run."""

    records: list[ReportRecord] = field(default_factory=list)  #: in raw file name order
    fresh: list[ReportRecord] = field(default_factory=list)  #: new versions, to remember as published
    kept: list[ReportRecord] = field(default_factory=list)  #: versions published before, kept online
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def findings(self, collected: Collected) -> list[Diagnostic]:
        """The findings the site shows: a kept version's own (the page stays as it was published), and
        this run's for everything else."""
        kept = {r.source for r in self.kept}
        return [*(d for d in collected.diagnostics if d.file not in kept), *(d for r in self.kept for d in r.findings)]


def choose(collected: Collected, catalog: Catalog, download_intact: dict[str, str] | None = None) -> Publication:
    """The version of each report to publish. ``download_intact``: the download files in the site by
    their address and hash (None: no downloads to keep, as in ``convert``)."""
    failing = {d.file for d in collected.diagnostics if d.severity == "error"}
    result = Publication()
    result.fresh = [r for r in collected.records if r.source not in failing]
    converted_with_errors = {r.source for r in collected.records if r.source in failing}
    for source in sorted(converted_with_errors | set(collected.failed)):
        last = catalog.published(source)
        if last is None:
            if source in converted_with_errors:  # (a file that did not convert says so itself)
                result.diagnostics.append(Diagnostic(source, None, "warning", "not-published",
                                                     "有错误，未发布（此前也未发布过）；改正后重新生成"))
            continue
        if download_intact is not None and download_intact.get(source_uri(last)) != last.source_sha256:
            result.diagnostics.append(Diagnostic(source, None, "warning", "not-published",
                                                 "有错误，未发布；上次发布的版本已不在网站目录中，无法保留"))
            continue
        result.kept.append(last)
        published = last.published or last.written
        when = f"（{published.isoformat()}）" if published else ""
        result.diagnostics.append(Diagnostic(source, None, "warning", "kept-last-published",
                                             f"有错误，新版本未发布；网站继续显示上次发布的版本{when}"))
    result.records = sorted([*result.fresh, *result.kept], key=lambda r: r.source)
    return result


def remember(publication: Publication, catalog: Catalog, present: set[str]) -> None:
    """After a run that wrote the site: the new versions are the published ones; a raw file that is
    gone is no longer published."""
    for record in publication.fresh:
        catalog.publish(record)
    for source in catalog.published_sources() - present:
        catalog.unpublish(source)
