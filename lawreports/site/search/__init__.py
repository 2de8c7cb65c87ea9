"""The site's own full-text search: a static index of overlapping bigrams, searched in the browser.

Why not Material's search or Pagefind: both segment words and match word starts, so a reader who
types part of a compound (``复议`` for ``行政复议``), a number with its unit (``274件``) or a name
misses reports (94.2 % recall on the seeds, issue #6); Material's jieba index also costs ~13 s per
1,000 pages and one 19 MB file at 1,000 reports.

The tokeniser (:mod:`.tokens`, mirrored in ``docs/assets/javascripts/search.js``, and tested to
agree with it in Chromium)::

    fold(s)     per code point: NFKC, then A–Z → a–z           全角 ２０２３ → 2023, ％ → %
    terms(q)    fold(q) split on whitespace (:data:`SPACE`)     "2023年 司法局" → [2023年, 司法局]
    tokens      every pair of adjacent characters inside a run of :data:`WORD` characters
                (CJK ideographs, a–z, 0–9, % and ‰), and a number followed by its unit whole:
                index_tokens(text)  all pairs, and every ending of 2–8 digits with the unit
                                    (受理1274件 → 受理 理1 12 27 74 4件 74件 274件 1274件)
                tokens(term)        a number with its unit by that one token, the rest by pairs
                                    (274件 → 274件; 行政复议 → 行政 政复 复议)

So any run of two or more characters a reader types (a word, part of a word, a number with its
unit, also inside a longer number: 274件 in 1274件) gives tokens that every text containing it also
has: the index can only miss what is not there. Numbers are common pairs of few digits, so a number
looked up by its pairs would match thousands of reports; by its ending with the unit it matches
almost exactly those that hold it. Pair false positives (``行政`` and ``复议`` both present,
``政复`` not) are removed in the browser, which checks each term as an exact substring of the folded
section text before showing a result. A single character has no pair: the search page says so
(indexing single characters would add about a third to the index for queries nobody can rank).

Files, below ``search/`` (made by :func:`search_files`; ``manifest.build`` is a hash of the rest,
used as ``?v=`` so a browser never mixes files of two builds)::

    manifest.json       format, tokeniser version, shard count, years, regions, part labels
    index/{h}.json      {token: postings}: a token lives in shard fnv1a32(utf-8) mod shards
    meta/{k}.json       report ids (data/reports/{id}.json) of reports k·128 … k·128+127
    agencies.json       [agency_key, name, region, reports] for the 单位 filter (fetched on demand)
    terms.json          dictionary for splitting a run-together query (fetched on demand)

Postings (:mod:`.postings`): per token, one varint per report holding it, with the parts it is in,
how often, and whether in a heading. Facet values are tokens too (``y:2023``, ``r:天津市南开区``,
``a:<agency_key>``), so a filter is one more list to intersect.

The text is the open data's (:func:`lawreports.site.data.body_of`): the same sections the browser
fetches as ``data/reports/{year}/{slug}.json`` to check matches and cut snippets. Search records
are the title (with the addressee and preamble), each section, and the signature.
"""

from __future__ import annotations

from .index import (
    FORMAT,
    MAX_SHARDS,
    META_BLOCK,
    MIN_SHARDS,
    SHARD_TARGET_BYTES,
    TERMS_FILE,
    Agency,
    Doc,
    IndexBuilder,
    Record,
    dictionary_of,
    facet_tokens,
    index_files,
    load_dictionary,
    records_of,
    region_levels,
)
from .postings import ALPHABET, HEADING_BIT, PAYLOAD_BITS, decode, encode, postings
from .stage import SEARCH_DIR, report_doc, search_files
from .tokens import (
    MAX_NUMBER_DIGITS,
    SPACE,
    TOKENIZER_VERSION,
    WORD,
    fold,
    index_tokens,
    shard_of,
    terms,
    tokens,
)

__all__ = [
    "ALPHABET",
    "FORMAT",
    "HEADING_BIT",
    "MAX_NUMBER_DIGITS",
    "MAX_SHARDS",
    "META_BLOCK",
    "MIN_SHARDS",
    "PAYLOAD_BITS",
    "SEARCH_DIR",
    "SHARD_TARGET_BYTES",
    "SPACE",
    "TERMS_FILE",
    "TOKENIZER_VERSION",
    "WORD",
    "Agency",
    "Doc",
    "IndexBuilder",
    "Record",
    "decode",
    "dictionary_of",
    "encode",
    "facet_tokens",
    "fold",
    "index_files",
    "index_tokens",
    "load_dictionary",
    "postings",
    "records_of",
    "region_levels",
    "report_doc",
    "search_files",
    "shard_of",
    "terms",
    "tokens",
]
