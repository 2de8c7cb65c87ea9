"""Word automatic list numbering: the ``一、`` and ``（一）`` that live in ``numbering.xml``, not in the text.

A Word paragraph can carry a number it does not contain: its ``w:pPr/w:numPr`` (or that of its
paragraph style, or of a style linked to a list level) names a list instance ``numId`` and a level
``ilvl``. ``numbering.xml`` maps the instance to an abstract definition (``w:num`` →
``w:abstractNumId``, with ``w:lvlOverride`` / ``w:startOverride``), and the definition gives each
level a number format (``w:numFmt``: ``chineseCounting``, ``decimal``, …), a template
(``w:lvlText``: ``%1、``, ``（%2）``, ``%1.%2``), a start value and a restart rule. python-docx does
not compute the numbers, so this module does, the way Word does:

* Counters belong to the abstract definition: instances (``numId``) sharing an abstract definition
  continue one list. An instance with a ``w:lvlOverride`` (a ``w:startOverride`` or a replacement
  ``w:lvl``) counts on its own, starting at the override.
* A level starts at its ``w:start`` (0 when absent, as the standard says) and advances by one on
  each paragraph of that level.
* Using a level restarts the deeper levels: a level with no ``w:lvlRestart`` restarts whenever any
  higher level is used; ``w:lvlRestart w:val="r"`` restarts it only when a level 1…r (one-based) is
  used; ``w:val="0"`` never restarts it.
* ``%N`` in the template is level N's current value in level N's own format (in decimal when the
  level is ``w:isLgl``); a level not used yet shows its start value.

Bullets are decoration, not text: a bullet level gives an empty label (their glyphs are often
private-use code points of symbol fonts). Formats without a rule here fall back to decimal.

Example (``numbering.xml`` with level 0 ``chineseCounting`` ``%1、`` and level 1 ``（%2）``)::

    >>> numbering = WordNumbering(numbering_xml, styles_xml)
    >>> [numbering.label(p).text for p in paragraphs]        # doctest: +SKIP
    ['一、', '（一）', '（二）', '二、', '（一）']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, overload

from ..text import CN_DIGITS

if TYPE_CHECKING:  # for annotations only: lxml is imported by whoever parses the XML
    from lxml.etree import _Element

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _val(element: _Element | None, name: str) -> str | None:
    """``w:val`` of the child ``w:name`` of ``element``, or None."""
    if element is None:
        return None
    child = element.find(_w(name))
    return None if child is None else child.get(_w("val"))


@overload
def _int(text: str | None, default: int) -> int: ...


@overload
def _int(text: str | None, default: None = None) -> int | None: ...


def _int(text: str | None, default: int | None = None) -> int | None:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _on(element: _Element | None, name: str) -> bool:
    """A boolean property (``<w:isLgl/>``, ``<w:vanish w:val="false"/>``) is on."""
    child = element.find(_w(name)) if element is not None else None
    return child is not None and child.get(_w("val"), "true") not in ("false", "0", "off")


# --- number formats -----------------------------------------------------------------------------

CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
IDEOGRAPH_TRADITIONAL = "甲乙丙丁戊己庚辛壬癸"
IDEOGRAPH_ZODIAC = "子丑寅卯辰巳午未申酉戌亥"
FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
         (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def chinese_thousand(value: int, digits: str = CN_DIGITS, units: str = "千百十", zero: str = "〇",
                     drop_leading_one: bool = True) -> str:
    """Chinese counting with place words, 1…9999: ``10`` → 十, ``11`` → 十一, ``20`` → 二十,
    ``101`` → 一百〇一, ``110`` → 一百一十, ``1010`` → 一千〇一十. Outside 1…9999: decimal."""
    if not 1 <= value <= 9999:
        return str(value)
    out: list[str] = []
    pending_zero = False
    places = (value // 1000, value // 100 % 10, value // 10 % 10, value % 10)
    for digit, unit in zip(places, (*units, ""), strict=True):  # units: three place words
        if digit == 0:
            pending_zero = pending_zero or bool(out)
            continue
        if pending_zero:
            out.append(zero)
            pending_zero = False
        out.append(digits[digit] + unit)
    text = "".join(out)
    if drop_leading_one and 10 <= value <= 19:
        text = text[1:]  # 十一, not 一十一
    return text


def chinese_counting(value: int) -> str:
    """Word's ``chineseCounting``: 一 … 九十九 with place words; from 100 digit by digit (一〇一)."""
    if 1 <= value <= 99:
        return chinese_thousand(value)
    if value >= 100:
        return "".join(CN_DIGITS[int(d)] for d in str(value))
    return str(value)


def letters(value: int, base: str) -> str:
    """``upperLetter``: A … Z, then AA, BB … (Word repeats the letter)."""
    if value < 1:
        return str(value)
    return base[(value - 1) % 26] * ((value - 1) // 26 + 1)


def roman(value: int) -> str:
    if not 1 <= value <= 3999:
        return str(value)
    out = []
    for amount, numeral in ROMAN:
        count, value = divmod(value, amount)
        out.append(numeral * count)
    return "".join(out)


def enclosed(value: int, first: int, count: int) -> str:
    """①…⑳ style runs of Unicode: value 1 is ``chr(first)``; beyond the run, decimal."""
    return chr(first + value - 1) if 1 <= value <= count else str(value)


def cyclic(value: int, symbols: str) -> str:
    """甲乙丙… / 子丑寅…: one symbol per value, decimal beyond the cycle."""
    return symbols[value - 1] if 1 <= value <= len(symbols) else str(value)


#: ``w:numFmt`` value → how a number is written. Anything else is written in decimal.
FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalHalfWidth": str,
    "decimalZero": lambda v: f"{v:02d}" if 0 <= v < 10 else str(v),
    "decimalFullWidth": lambda v: str(v).translate(FULLWIDTH_DIGITS),
    "decimalFullWidth2": lambda v: str(v).translate(FULLWIDTH_DIGITS),
    "decimalEnclosedCircle": lambda v: enclosed(v, 0x2460, 20),
    "decimalEnclosedCircleChinese": lambda v: enclosed(v, 0x2460, 20),
    "decimalEnclosedParen": lambda v: enclosed(v, 0x2474, 20),
    "decimalEnclosedFullstop": lambda v: enclosed(v, 0x2488, 20),
    "upperLetter": lambda v: letters(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    "lowerLetter": lambda v: letters(v, "abcdefghijklmnopqrstuvwxyz"),
    "upperRoman": roman,
    "lowerRoman": lambda v: roman(v).lower(),
    "chineseCounting": chinese_counting,
    "chineseCountingThousand": chinese_thousand,
    "japaneseCounting": chinese_thousand,
    "taiwaneseCounting": chinese_thousand,
    "taiwaneseCountingThousand": chinese_thousand,
    "chineseLegalSimplified": lambda v: chinese_thousand(v, CN_LEGAL, "仟佰拾", "零", drop_leading_one=False),
    "ideographDigital": lambda v: "".join(CN_DIGITS[int(d)] for d in str(v)) if v >= 0 else str(v),
    "ideographTraditional": lambda v: cyclic(v, IDEOGRAPH_TRADITIONAL),
    "ideographZodiac": lambda v: cyclic(v, IDEOGRAPH_ZODIAC),
    "none": lambda v: "",
}


def format_number(value: int, fmt: str) -> str:
    """``format_number(3, "chineseCounting")`` → ``三``; ``format_number(2, "decimalFullWidth")`` → ``２``."""
    return FORMATS.get(fmt, str)(value)


# --- definitions --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Level:
    """One ``w:lvl`` of an abstract numbering definition."""

    ilvl: int
    fmt: str = "decimal"  #: ``w:numFmt``
    text: str = ""  #: ``w:lvlText``, e.g. ``（%2）``
    start: int = 0  #: ``w:start`` (the standard's default is 0)
    restart: int | None = None  #: ``w:lvlRestart`` (one-based); None: after any higher level
    suffix: str = "tab"  #: ``w:suff``: tab, space or nothing (what follows the number in Word)
    legal: bool = False  #: ``w:isLgl``: show every level's number in decimal
    style: str | None = None  #: ``w:pStyle``: the paragraph style linked to this level

    @classmethod
    def from_xml(cls, lvl: _Element) -> Level:
        restart = lvl.find(_w("lvlRestart"))
        return cls(
            ilvl=_int(lvl.get(_w("ilvl")), 0),
            fmt=_val(lvl, "numFmt") or "decimal",
            text=_val(lvl, "lvlText") or "",
            start=_int(_val(lvl, "start"), 0),
            restart=None if restart is None else _int(restart.get(_w("val")), None),
            suffix=_val(lvl, "suff") or "tab",
            legal=_on(lvl, "isLgl"),
            style=_val(lvl, "pStyle"),
        )

    def restarts_after(self, used: int) -> bool:
        """Whether using level ``used`` (0-based, higher than this one) restarts this level."""
        if used >= self.ilvl:
            return False
        bound = self.ilvl if self.restart is None else self.restart
        return used < bound


@dataclass(frozen=True)
class Abstract:
    """A ``w:abstractNum``: the levels of a list definition."""

    element: _Element  #: the XML element (for ``w:numStyleLink``)
    levels: dict[int, Level]


@dataclass(frozen=True)
class ListInstance:
    """A ``w:num``: an abstract definition as used by paragraphs, with its overrides."""

    num_id: str | None  #: None only in invalid XML (no ``w:numId``); never referenced then
    abstract_id: str | None  #: None when the ``w:abstractNum`` it uses has no id (invalid XML)
    levels: dict[int, Level]
    starts: dict[int, int] = field(default_factory=dict)  #: ``w:startOverride`` per level
    overridden: bool = False  #: has a ``w:lvlOverride``: counts on its own

    @property
    def counter_key(self) -> tuple[str, str | None]:
        return ("num", self.num_id) if self.overridden else ("abstract", self.abstract_id)

    def level(self, ilvl: int) -> Level:
        return self.levels.get(ilvl) or Level(ilvl=ilvl, fmt="decimal", text=f"%{ilvl + 1}.", start=1)

    def start(self, ilvl: int) -> int:
        return self.starts.get(ilvl, self.level(ilvl).start)


@dataclass(frozen=True)
class Label:
    """The number Word shows in front of a paragraph."""

    text: str  #: e.g. ``一、`` or ``（二）``; empty for a bullet or an empty template
    suffix: str  #: tab, space or nothing

    @property
    def prefix(self) -> str:
        """What goes in front of the paragraph text: the label, and a space after a label ending in an
        ASCII character (``1.`` + ``2023年`` must not read ``1.2023年``). Chinese labels (``一、``,
        ``（一）``) take no space: Word's tab after them is layout, not text."""
        if not self.text:
            return ""
        if self.suffix != "nothing" and self.text[-1].isascii() and not self.text[-1].isspace():
            return self.text + " "
        return self.text


@dataclass(frozen=True)
class StyleInfo:
    """What a paragraph style says about numbering."""

    based_on: str | None
    num_id: str | None
    ilvl: int | None


class WordNumbering:
    """Renders the list numbers of a document's paragraphs, in document order.

    Call :meth:`label` once for every paragraph, in document order (table cells and text boxes
    included): it advances the counters as Word does.
    """

    def __init__(self, numbering: _Element | None = None, styles: _Element | None = None):
        """``numbering``: the ``w:numbering`` element (or None); ``styles``: the ``w:styles`` element."""
        # keyed by the id attribute as read: None for an element without one (invalid XML, read as Word would)
        self._abstracts: dict[str | None, Abstract] = {}
        self._instances: dict[str | None, ListInstance] = {}
        self._styles: dict[str, StyleInfo] = {}
        self._style_level: dict[str, tuple[str | None, int]] = {}  # style id → (abstract id, ilvl) via w:lvl/w:pStyle
        self._default_style: str | None = None
        self._counters: dict[tuple[str, str | None], dict[int, int]] = {}
        if styles is not None:
            self._read_styles(styles)
        if numbering is not None:
            self._read_numbering(numbering)

    # reading the definitions

    def _read_styles(self, styles: _Element) -> None:
        for style in styles.findall(_w("style")):
            if style.get(_w("type")) not in ("paragraph", "numbering"):
                continue
            style_id = style.get(_w("styleId"))
            if not style_id:
                continue
            num_pr = style.find(f"{_w('pPr')}/{_w('numPr')}")
            self._styles[style_id] = StyleInfo(
                based_on=_val(style, "basedOn"),
                num_id=_val(num_pr, "numId"),
                ilvl=_int(_val(num_pr, "ilvl")),
            )
            if style.get(_w("type")) == "paragraph" and _on_attr(style.get(_w("default"))):
                self._default_style = style_id

    def _read_numbering(self, numbering: _Element) -> None:
        abstracts = {a.get(_w("abstractNumId")): a for a in numbering.findall(_w("abstractNum"))}
        nums = {n.get(_w("numId")): n for n in numbering.findall(_w("num"))}
        for abstract_id, element in abstracts.items():
            defined = [Level.from_xml(lvl) for lvl in element.findall(_w("lvl"))]
            self._abstracts[abstract_id] = Abstract(element, {level.ilvl: level for level in defined})
        for num_id, element in nums.items():
            abstract_id = self._follow_style_link(_val(element, "abstractNumId"), nums)
            if abstract_id not in self._abstracts:
                continue
            levels = dict(self._abstracts[abstract_id].levels)
            starts: dict[int, int] = {}
            overrides = element.findall(_w("lvlOverride"))
            for override in overrides:
                ilvl = _int(override.get(_w("ilvl")), 0)
                start = _int(_val(override, "startOverride"))
                if start is not None:
                    starts[ilvl] = start
                lvl = override.find(_w("lvl"))
                if lvl is not None:
                    levels[ilvl] = Level.from_xml(lvl)
            self._instances[num_id] = ListInstance(num_id, abstract_id, levels, starts, overridden=bool(overrides))
        for abstract_id, abstract in self._abstracts.items():
            for level in abstract.levels.values():
                if level.style:
                    self._style_level.setdefault(level.style, (abstract_id, level.ilvl))

    def _follow_style_link(self, abstract_id: str | None, nums: dict[str | None, _Element]) -> str | None:
        """An abstract definition that only points at a numbering style (``w:numStyleLink``) takes
        the definition that style's list uses (the one carrying ``w:styleLink``)."""
        for _ in range(4):
            abstract = self._abstracts.get(abstract_id)
            if abstract is None:
                return abstract_id
            link = _val(abstract.element, "numStyleLink")
            style = self._styles.get(link) if link else None
            if style is None or style.num_id is None or style.num_id not in nums:
                return abstract_id
            abstract_id = _val(nums[style.num_id], "abstractNumId")
        return abstract_id

    # resolving a paragraph

    def _style_chain(self, style_id: str | None) -> Iterator[tuple[str, StyleInfo]]:
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self._styles:
            seen.add(style_id)
            yield style_id, self._styles[style_id]
            style_id = self._styles[style_id].based_on

    def resolve(self, paragraph: _Element) -> tuple[ListInstance, int] | None:
        """The list instance and level of a ``w:p``, from its own ``w:numPr`` or its style's."""
        p_pr = paragraph.find(_w("pPr"))
        num_pr = p_pr.find(_w("numPr")) if p_pr is not None else None
        num_id = _val(num_pr, "numId")
        ilvl = _int(_val(num_pr, "ilvl"))
        style_id = _val(p_pr, "pStyle") or self._default_style
        style_num, style_ilvl, linked_style = None, None, None
        for sid, info in self._style_chain(style_id):
            if style_num is None and info.num_id is not None:
                style_num, linked_style = info.num_id, sid
            if style_ilvl is None and info.ilvl is not None:
                style_ilvl = info.ilvl
        if num_id is None:
            num_id = style_num
        if num_id is None or num_id == "0" or num_id not in self._instances:
            return None
        instance = self._instances[num_id]
        if ilvl is None:
            ilvl = style_ilvl
        if ilvl is None and linked_style:
            linked = self._style_level.get(linked_style)
            if linked and linked[0] == instance.abstract_id:
                ilvl = linked[1]
        return instance, min(max(ilvl or 0, 0), 8)

    # counting

    def label(self, paragraph: _Element) -> Label | None:
        """The number of a ``w:p`` (advancing the counters), or None when it is not numbered."""
        found = self.resolve(paragraph)
        if found is None:
            return None
        instance, ilvl = found
        return self.advance(instance, ilvl)

    def advance(self, instance: ListInstance, ilvl: int) -> Label:
        counters = self._counters.setdefault(instance.counter_key, {})
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else instance.start(ilvl)
        for deeper in [d for d in counters if d > ilvl]:
            if instance.level(deeper).restarts_after(ilvl):
                del counters[deeper]
        level = instance.level(ilvl)
        if level.fmt == "bullet":
            return Label("", level.suffix)
        return Label(self._render(instance, level, counters), level.suffix)

    def _render(self, instance: ListInstance, level: Level, counters: dict[int, int]) -> str:
        out: list[str] = []
        text = level.text
        i = 0
        while i < len(text):
            char = text[i]
            if char == "%" and i + 1 < len(text) and text[i + 1] in "123456789":
                ref = int(text[i + 1]) - 1
                value = counters.get(ref, instance.start(ref))
                ref_level = instance.level(ref)
                fmt = "decimal" if level.legal and ref_level.fmt != "none" else ref_level.fmt
                out.append(format_number(value, "decimal" if fmt == "bullet" else fmt))
                i += 2
                continue
            out.append(char)
            i += 1
        return "".join(out)


def _on_attr(value: str | None) -> bool:
    return value is not None and value not in ("0", "false", "off")
