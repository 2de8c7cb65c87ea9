"""The text rules every stage shares, each written once: whitespace, 字数, sentences, Chinese numerals.

* **Whitespace never counts.** A report's text is compared, keyed and counted with its whitespace
  removed (:func:`compact`): 字数 is :func:`characters`, two paragraphs are the same paragraph when
  their :func:`paragraph_key` is equal. For display, whitespace runs become one space
  (:func:`one_space`).
* **Sentences** end with full stops (``。！？`` full- or half-width), closing quotes and brackets
  included (:data:`SENTENCE`); the diff also cuts at semicolons (:data:`CLAUSE`), see there why.
* **Chinese numerals**: ``（三）`` → 3 (:func:`cn_number`), 3 → ``三`` (:func:`cn_numeral`),
  ``二〇二四`` → 2024 (:func:`cn_year`).

No imports from the rest of the package: the model, the parser, the checks and the site all use it.
"""

from __future__ import annotations

import re

# -- whitespace and 字数 ---------------------------------------------------------------------------


def compact(text: str) -> str:
    """``text`` without any whitespace (Unicode whitespace: ideographic space, line breaks …).

    >>> compact(" 依法 行政\\u3000工作\\n")
    '依法行政工作'
    """
    return "".join(text.split())


def one_space(text: str) -> str:
    """Whitespace runs as one space, none at either end: how a paragraph is quoted and shown.

    >>> one_space(" 开展培训\\n 12 次。 ")
    '开展培训 12 次。'
    """
    return " ".join(text.split())


def characters(text: str) -> int:
    """字数 as the report counts it: non-whitespace characters.

    >>> characters("一、 总体情况\\u3000（2024 年）")
    13
    """
    return len(compact(text))


def paragraph_key(text: str) -> str:
    """What two paragraphs are compared on: word for word the same when their keys are equal.

    Whitespace never counts (a re-wrapped paragraph is the same paragraph); punctuation and
    width do (``，`` is not ``,``).

    >>> paragraph_key("坚持依法 行政。") == paragraph_key("坚持依法\\n行政。")
    True
    >>> paragraph_key("坚持依法行政。") == paragraph_key("坚持依法行政.")
    False
    """
    return compact(text)


# -- sentences -------------------------------------------------------------------------------------

#: Full stops, full- and half-width: they end a sentence.
FULL_STOPS = "。！？!?"
#: Semicolons, full- and half-width: they end a clause (a unit of the diff, not a sentence).
SEMICOLONS = "；;"
#: Closing quotes and brackets after a full stop still belong to its sentence: ``“……。”``.
CLOSERS = "”’」』）)"


def _ending_with(ends: str) -> re.Pattern[str]:
    """Pieces of text that end with a run of ``ends`` (and closers after it), or the rest of the text.

    Never an empty match: ``findall`` gives the pieces, and they join to the text again.
    """
    return re.compile(rf"[^{ends}]*[{ends}]+[{CLOSERS}]*|[^{ends}]+")


#: A sentence: up to a run of full stops, with the closing quotes and brackets after them.
#: The rule for a figure's context (``figures``, the key-figures table): a figure is quoted with
#: the whole sentence it stands in, so ``一是……；二是……。`` stays one sentence.
SENTENCE = _ending_with(FULL_STOPS)
#: A clause: a sentence cut at semicolons too. The unit of the year-to-year diff (``textdiff``):
#: ``一是……；二是……；三是……。`` are edited one by one, and a diff by whole sentences would show a
#: long enumeration as deleted and inserted for one changed item. The two rules differ only in
#: where they cut (:data:`SEMICOLONS`); both keep every character.
CLAUSE = _ending_with(FULL_STOPS + SEMICOLONS)


def split_sentences(text: str, rule: re.Pattern[str] = SENTENCE) -> list[str]:
    """The sentences of ``text`` (or its clauses, ``rule=CLAUSE``), punctuation kept, nothing lost.

    >>> split_sentences("一是学习；二是培训。他说：“好！”三是考试")
    ['一是学习；二是培训。', '他说：“好！”', '三是考试']
    >>> split_sentences("一是学习。二是培训；三是考试", CLAUSE)
    ['一是学习。', '二是培训；', '三是考试']
    >>> split_sentences("")
    []
    """
    return rule.findall(text)


def sentence_at(text: str, offset: int, rule: re.Pattern[str] = SENTENCE) -> tuple[str, int]:
    """The sentence of ``text`` holding ``offset``, stripped, and the offset within it.

    >>> sentence_at("全年开展培训。 办理案件274件；结案率100%。", 14)
    ('办理案件274件；结案率100%。', 6)
    """
    for m in rule.finditer(text):
        if m.start() <= offset < m.end() or (m.end() == len(text) and offset >= m.start()):
            raw = m.group(0)
            lead = len(raw) - len(raw.lstrip())
            return raw.strip(), offset - m.start() - lead
    return text, offset  # only for an offset past the end: the rule covers the whole text


# -- Chinese numerals ------------------------------------------------------------------------------

#: 0 … 9 as numbers are written in markers: ``〇一二三四五六七八九``.
CN_DIGITS = "〇一二三四五六七八九"
#: The value of each digit character a numeral may hold (``两`` and ``零`` too).
CN_DIGIT_VALUES = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                   "八": 8, "九": 9}
#: The units a marker's numeral may hold.
CN_UNITS = {"十": 10, "百": 100}
#: Every character of a numeral the grammar reads (``patterns.CN_NUM``): digits and units.
CN_NUMERAL_CHARS = "〇零一二三四五六七八九十百两"
#: A year written digit by digit (``二〇二四``, ``二○二四``, ``二O二四``): each character's digit.
CN_YEAR_DIGITS = {**{c: str(v) for c, v in CN_DIGIT_VALUES.items() if c != "两"}, "○": "0", "O": "0"}


def cn_number(text: str) -> int:
    """``三`` → 3, ``十二`` → 12, ``二十`` → 20, ``一百零一`` → 101; Arabic digits as they are.

    >>> [cn_number(t) for t in ("三", "十二", "二十", "三十五", "一百零一", "两", "12")]
    [3, 12, 20, 35, 101, 2, 12]
    >>> set(CN_NUMERAL_CHARS) == set(CN_DIGIT_VALUES) | set(CN_UNITS)
    True
    """
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in CN_UNITS:
            total += (current or 1) * CN_UNITS[char]
            current = 0
        else:
            current = CN_DIGIT_VALUES.get(char, 0)
    return total + current


def cn_numeral(value: int) -> str:
    """3 → 三, 10 → 十, 12 → 十二, 20 → 二十, 105 → 105 (markers above 99 do not occur).

    >>> [cn_numeral(n) for n in (0, 3, 10, 12, 20, 35, 105)]
    ['〇', '三', '十', '十二', '二十', '三十五', '105']
    >>> all(cn_number(cn_numeral(n)) == n for n in range(100))
    True
    """
    if value < 10:
        return CN_DIGITS[value]
    if value < 20:
        return "十" + (CN_DIGITS[value % 10] if value % 10 else "")
    if value < 100:
        return CN_DIGITS[value // 10] + "十" + (CN_DIGITS[value % 10] if value % 10 else "")
    return str(value)


def cn_year(text: str) -> int:
    """A year written digit by digit: ``二〇二四`` → 2024, ``二O二三`` → 2023; ``2024`` → 2024.

    >>> [cn_year(t) for t in ("二〇二四", "二零二三", "二○二二", "2021")]
    [2024, 2023, 2022, 2021]
    """
    if text.isdigit():
        return int(text)
    return int("".join(CN_YEAR_DIGITS.get(c, "0") for c in text))


#: What XML 1.0 does not allow in a document (C0 controls but tab, LF and CR; lone surrogates;
#: U+FFFE and U+FFFF): no reader parses a file holding one, and no escape can write it.
XML_UNSAFE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
