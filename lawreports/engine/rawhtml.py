"""A Markdown extension: HTML this project built itself goes into the page as it is.

The markers are written by :func:`lawreports.site.htmlblock.block`. Generated pages (year-over-year
diffs, cards, keyword lists) and the key-figures
table of a report page are HTML made by the project from escaped report text. Left to
Python-Markdown, every such block is fed to its HTML parser and, inside ``markdown`` sections,
to the inline patterns — most of the cost of those pages for nothing, since the result is the
same HTML. Wrapped by :func:`block`, the lines go straight into Python-Markdown's HTML stash and
come out unchanged at the end.

Report text can never open such a block: it reaches the Markdown escaped (``<`` is ``&#60;``).
Without this extension (a bare ``mkdocs build`` of the same ``docs/``) the markers are HTML
comments and the block is ordinary raw HTML: the page looks the same.
"""

from __future__ import annotations

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from ..site.htmlblock import CLOSE, OPEN


class _Stash(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        if OPEN not in lines:
            return lines
        out: list[str] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if line == OPEN:
                try:
                    end = lines.index(CLOSE, i + 1)
                except ValueError:  # no end marker: leave the rest to Markdown
                    out.extend(lines[i:])
                    break
                placeholder = self.md.htmlStash.store("\n".join(lines[i + 1 : end]))
                out += ["", placeholder, ""]
                i = end + 1
            else:
                out.append(line)
                i += 1
        return out


class RawHtmlExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # Before the HTML block parsers (md_in_html's and the default one, priority 20) and after
        # whitespace normalisation (30), like fenced code blocks (25).
        md.preprocessors.register(_Stash(md), "lawreports_raw_html", 26)


def makeExtension(**kwargs: object) -> RawHtmlExtension:
    return RawHtmlExtension(**kwargs)
