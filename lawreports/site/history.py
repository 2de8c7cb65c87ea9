"""The publication record on the site: 更正记录 on report pages, withdrawal notices, redirects from
old addresses, and every version in the open data (issue #18).

Pure functions of the record (:class:`lawreports.build.history.History`) and the current addresses;
every value is escaped; nothing reads a clock. File layout (below docs_dir)::

    data/versions.json                       every version of every report, withdrawn ones too
    data/versions/<raw file>/v<N>.txt        the text of each superseded (or withdrawn) version
    <old page>/index.html                    a redirect (meta refresh + canonical) to the current page
    <old data file>                          a copy of the current data file
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from urllib.parse import quote

from ..build.history import FIELDS, Addresses, Entry, History, Version
from ..textdiff import Piece, inline_diff
from . import markup as md
from .generated import Generated
from .htmlblock import block

VERSIONS_JSON = "data/versions.json"
#: What the public reads for each recorded field.
LABELS = {
    "title": "标题", "agency": "署名（原文）", "agency_key": "发布机构", "region": "所属地区", "year": "报告年度",
    "written": "成文日期", "published": "发布日期", "index_no": "索引号", "source_url": "原文地址",
}
BY = {
    "first": "首次发布",
    "officer": "更正",
    "converter": "原文未改动；本站单位表或转换程序更新后重新生成",
}
#: Characters of unchanged text kept around each change in the diff (the rest is elided).
CONTEXT = 30

assert set(LABELS) == set(FIELDS)


def text_uri(source: str, number: int) -> str:
    return f"data/versions/{source}/v{number}.txt"


def changed_fields(old: Version | None, new: Version) -> list[str]:
    return [] if old is None else [k for k in FIELDS if old.meta.get(k) != new.meta.get(k)]


def _shown(value: object) -> str:
    return "未注明" if value is None or value == "" else str(value)


def _elide(text: str, where: str) -> str:
    """Unchanged text longer than twice :data:`CONTEXT` keeps its ends (``…`` between)."""
    if len(text) <= 2 * CONTEXT:
        return text
    if where == "start":
        return "…" + text[-CONTEXT:]
    if where == "end":
        return text[:CONTEXT] + "…"
    return text[:CONTEXT] + "…" + text[-CONTEXT:]


def diff_html(old: Sequence[str], new: Sequence[str]) -> str:
    """The text's changes, paragraph by paragraph (a paragraph only edited is diffed character by
    character inside its sentences: ``<del>``/``<ins>``); unchanged paragraphs are left out, unchanged
    stretches inside a changed one shortened; every character escaped. Paragraphs are matched first,
    so the cost grows with the size of what changed, not with the square of the report."""
    out: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, list(old), list(new), autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        olds, news = old[i1:i2], new[j1:j2]
        if tag == "replace" and len(olds) == len(news):
            out.extend(_pieces_html(inline_diff(a, b)) for a, b in zip(olds, news, strict=True))
        else:
            out.extend(f'<del title="删去">{html.escape(line)}</del>' for line in olds)
            out.extend(f'<ins title="增加">{html.escape(line)}</ins>' for line in news)
    return "".join(f'<p class="history-diff">{paragraph}</p>' for paragraph in out)


def _pieces_html(pieces: tuple[Piece, ...]) -> str:
    out = []
    for i, p in enumerate(pieces):
        if p.op == "equal":
            where = "start" if i == 0 else "end" if i == len(pieces) - 1 else "middle"
            out.append(html.escape(_elide(p.text, where)))
        elif p.op == "delete":
            out.append(f'<del title="删去">{html.escape(p.text)}</del>')
        else:
            out.append(f'<ins title="增加">{html.escape(p.text)}</ins>')
    return "".join(out)


def _version_item(entry: Entry, k: int, from_uri: str) -> str:
    v = entry.versions[k]
    old = entry.versions[k - 1] if k else None
    when = html.escape(_shown(v.date))
    head = f"<strong>第 {v.number} 版</strong>（{when}，{html.escape(BY[v.by])}）"
    rows = [head]
    if v.by == "officer":
        rows.append(f"更正理由：{html.escape(v.reason) if v.reason else '未说明'}")
    fields = changed_fields(old, v)
    if fields:
        changes = "；".join(f"{html.escape(LABELS[f])}：{html.escape(_shown(old.meta.get(f) if old else None))} → "
                           f"{html.escape(_shown(v.meta.get(f)))}" for f in fields)
        rows.append(f"元数据改动：{changes}")
    if old is not None:
        diff = diff_html(old.lines, v.lines)
        rows.append(f"正文改动：{diff}" if diff else "正文未改动")
    if v is not entry.current or entry.withdrawn:
        rows.append(md.a("下载此版全文", from_uri, text_uri(entry.source, v.number)))
    return "<li>" + "<br>".join(rows) + "</li>"


def history_html(entry: Entry, from_uri: str) -> str:
    """The 更正记录 list, newest version first."""
    items = "".join(_version_item(entry, k, from_uri) for k in reversed(range(len(entry.versions))))
    return f'<ol class="report-history" reversed>{items}</ol>'


def history_section(entry: Entry | None, from_uri: str) -> str:
    """Markdown for the end of a report page: 更正记录 when the report changed after its first
    publication (else nothing)."""
    if entry is None or len(entry.versions) < 2:
        return ""
    return ("\n## 更正记录 {#history .report-history-heading}\n\n"
            f"本报告发布后有 {len(entry.versions) - 1} 次改动；每一版的全文均可下载。\n"
            + block(history_html(entry, from_uri)))


def notice_page(entry: Entry, uri: str) -> Generated:
    """What a withdrawn report's address shows: the notice, its date and reason, and its history."""
    assert entry.withdrawn is not None and entry.current is not None
    title = entry.current.meta.get("title") or f"{_shown(entry.current.meta.get('agency_key'))}的报告"
    heading = f"已撤回：{title}"
    gone = entry.withdrawn
    body = (f'<p class="report-withdrawn">本报告已于 {html.escape(gone.date)} 撤回。'
            f"撤回理由：{html.escape(gone.reason)}</p>"
            f"<p>撤回前共发布 {len(entry.versions)} 版，记录如下；各版全文仍可下载。</p>"
            + history_html(entry, uri))
    meta = md.front_matter({"title": heading, "withdrawn": gone.date})
    return Generated(uri, f"{meta}# {md.text(heading)} {{#title}}\n{block(body)}")


@dataclass(frozen=True)
class RecordFiles:
    """The record's files, and the data files whose old addresses need a copy of the current one."""

    files: list[Generated]
    copies: dict[str, str]  #: old data file → current data file (both below docs_dir)


def record_files(history: History, current: Mapping[str, Addresses], taken: set[str],
                 site_url: str | None, reports_prefix: str = "reports") -> RecordFiles:
    """Version texts, ``data/versions.json``, withdrawal notices and redirects.

    ``current``: the addresses of each report online now (by raw file); ``taken``: every page and
    data file of the site now (an old address now used by something else is left to it)."""
    files: list[Generated] = []
    moved: dict[str, str] = {}  # old page → its new page
    copies: dict[str, str] = {}
    rows = []
    for source, entry in sorted(history.entries.items()):
        if not entry.versions:
            continue
        last = entry.current
        assert last is not None
        here = current.get(source)
        for v in entry.versions:
            if v is not last or entry.withdrawn:
                files.append(Generated(text_uri(source, v.number), "\n".join(v.lines) + "\n"))
        if entry.withdrawn and here is None:
            if last.addresses.page not in taken:
                files.append(notice_page(entry, last.addresses.page))
                taken.add(last.addresses.page)
            target = Addresses(last.addresses.page, "agencies/index.md", "")
        elif here is not None:
            target = here
        else:
            continue  # neither online nor withdrawn: its last good version is kept by the pipeline
        for before in entry.addresses:
            if before.page != target.page:
                moved.setdefault(before.page, target.page)
            if before.agency != target.agency:
                moved.setdefault(before.agency, target.agency)
            if target.data and before.data != target.data:
                copies.setdefault(before.data, target.data)
        rows.append(_row(entry, here))
    for old, new in sorted(moved.items()):  # only where the build publishes pages (an edited record cannot
        if old not in taken and old.startswith((f"{reports_prefix}/", "agencies/")):  # reach assets/)
            files.append(redirect_page(old, new, site_url))
    copies = {old: new for old, new in copies.items() if old not in taken}
    files.append(Generated(VERSIONS_JSON, json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True) + "\n"))
    return RecordFiles(files, copies)


def _row(entry: Entry, here: Addresses | None) -> dict:
    versions = []
    for k, v in enumerate(entry.versions):
        versions.append({
            "version": v.number, "date": v.date, "by": v.by, "reason": v.reason,
            "text_sha256": v.text_sha256, "source_sha256": v.source_sha256,
            "changed_fields": changed_fields(entry.versions[k - 1] if k else None, v),
            "text_changed": bool(k) and v.text_sha256 != entry.versions[k - 1].text_sha256,
            "page": md.url(v.addresses.page),
            "text": text_uri(entry.source, v.number) if (v is not entry.current or entry.withdrawn) else None,
            **{f"meta_{key}": v.meta.get(key) for key in FIELDS},
        })
    gone = entry.withdrawn
    return {
        "source": entry.source,
        "status": "withdrawn" if gone else "current",
        "page": md.url(here.page) if here else None,
        "withdrawn": {"date": gone.date, "reason": gone.reason} if gone else None,
        "versions": versions,
    }


def redirect_page(old_uri: str, new_uri: str, site_url: str | None) -> Generated:
    """A static redirect at an old page address: a meta refresh and a canonical link to the new one
    (absolute when the site's address is known), and a plain link for whoever reads it."""
    here, there = md.url(old_uri), md.url(new_uri)
    relative = md.relative_url(here, there)
    canonical = (site_url.rstrip("/") + "/" + quote(there, safe="/-._~")) if site_url else quote(relative, safe="/-._~")
    target = html.escape(quote(relative, safe="/-._~"), quote=True)
    page = ('<!doctype html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
            f'<title>页面已迁移</title>\n<link rel="canonical" href="{html.escape(canonical, quote=True)}">\n'
            f'<meta http-equiv="refresh" content="0; url={target}">\n<meta name="robots" content="noindex">\n'
            '</head>\n<body>\n'
            f'<p>本页已迁移，请前往<a href="{target}">新地址</a>。</p>\n'
            '</body>\n</html>\n')
    return Generated(here + "index.html", page)
