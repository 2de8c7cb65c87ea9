"""What every site stage hands the pipeline: files to write into ``docs_dir`` before the engine renders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Generated:
    """One file of the site, written by the pipeline below ``docs_dir`` (the engine renders or copies it).

    Exactly one of ``content`` (a page's Markdown, a JSON or CSV file, an SVG) and ``source`` (a file
    to copy as it is: a raw report offered for download) is set."""

    uri: str  #: path below docs_dir, POSIX, e.g. ``years/2023.md`` or ``data/reports.json``
    content: str | bytes | None = None
    source: Path | None = None
