"""The search stage of the build: the published reports in, every file below ``search/`` out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from ...model import PART_KEYS
from ...record import ReportRecord
from ..data import body_of
from ..generated import Generated
from .index import Agency, Doc, dictionary_of, index_files, records_of

if TYPE_CHECKING:
    from ..listings import SiteIndex

#: The index's folder below docs_dir (and the site); the search page itself is ``search.md``.
SEARCH_DIR = "search"


def report_doc(record: ReportRecord) -> Doc:
    """A report as the index sees it: the same title block, sections and signature as its
    open-data JSON (``data/reports/{id}.json``, made by :func:`lawreports.site.data.body_of` too),
    which the browser fetches to check each match and cut the snippet."""
    body = body_of(record.report)
    signature = body.signature["lines"] if body.signature else None
    records = records_of(record.display_title, body.addressee, body.preamble, body.sections, signature)
    rid = record.path[: -len(".md")] if record.path.endswith(".md") else record.path
    return Doc(rid, record.year, record.region, record.agency_key, records)


def search_files(index: SiteIndex, records: Sequence[ReportRecord],
                 labels: Mapping[str, str] | Callable[[str], str]) -> list[Generated]:
    """Every file of the site's search index, as files below ``search/`` in docs_dir.

    ``index`` arranges the published reports (listings' order: newest year first, so report
    numbers are an order by year; its agencies are the 单位 filter); ``records`` are those reports
    (matched by page path); ``labels`` names each part (PART_KEYS) for the part filter."""
    by_path = {r.path: r for r in records}
    docs = [report_doc(by_path[info.path]) for info in index.reports]
    agencies = [Agency(a.key, a.name, a.region, len(a.reports)) for a in index.agencies]
    if callable(labels):
        part_labels = {key: labels(key) for key in PART_KEYS}
    else:  # a part without a label is shown by its key (as before)
        part_labels = {key: labels.get(key, key) for key in PART_KEYS}
    files = index_files(docs, agencies, dictionary_of(agencies, docs), part_labels)
    return [Generated(f"{SEARCH_DIR}/{path}", content) for path, content in files.items()]
