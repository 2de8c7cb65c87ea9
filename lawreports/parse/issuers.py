"""Who issued a report, as the text says it: self-references, joint issuers, full names, and refusal.

A report names its issuer in its title (``中共桃源县委员会 桃源县人民政府关于…的报告``), in issuer lines
stacked above ``关于…``, in its opening (``2023年，区政府坚持…``) or in its signature. A bare self-reference
(``区政府``, ``县委、县政府``) is the report's ``agency`` as written (the front-matter contract); the full name
the public sees (``agency_key``) must then come from the text's other places, the agency table or a
sidecar — never from a guess. A sentence fragment is never a name (issue #17 once published
``自觉对标对表中央关于依法治国的决策部`` as an agency).
"""

from __future__ import annotations

import re

from .. import patterns, places
from ..model import Report
from ..text import compact
from .lines import fold

#: Longest plausible issuer name: 中共某某自治州某某县委员会、某某自治州某某县人民政府 fits.
NAME_MAX = 40


def is_self_reference(name: str | None) -> bool:
    """``区政府``, ``县委、县政府``, ``省委 省政府`` — a body named by its level only."""
    return bool(name) and patterns.SELF_REFERENCE.fullmatch(compact(fold(name or "")).replace("，", "、")) is not None


def plausible(name: str | None) -> bool:
    """Whether ``name`` can be a body's name rather than part of a sentence."""
    if not name:
        return False
    folded = compact(fold(name))
    return 2 <= len(folded) <= NAME_MAX and patterns.NOT_A_NAME.search(folded) is None


def is_body_name(name: str) -> bool:
    """A whole name ending as bodies' names do (``三门县司法局`` yes; ``中国政府网``, ``本网`` no)."""
    return patterns.SUBJECT_AGENCY_WHOLE.fullmatch(compact(fold(name))) is not None


def self_reference_in(opening: str, verbs: re.Pattern[str]) -> str | None:
    """``2023年，区政府坚持…`` → 区政府; ``县委、县政府高度重视…`` → 县委、县政府 (a verb must follow).

    ``在区委、区政府的领导下`` is the superior, not the speaker: a clause opening with 在 is skipped.
    """
    for clause in opening_clauses(opening):
        found = re.match(rf"(?P<agency>{patterns.SELF_REFERENCE.pattern})", clause)
        if found and verbs.match(clause[found.end():]):
            return re.sub(r"\s+", "、", found.group("agency").strip())
    return None


#: What opens a first sentence before its subject: ``2023年，`` ``今年以来，`` ``一年来，``.
TIME_OPENER = re.compile(
    rf"^\s*(?:(?:{patterns.YEAR_WORD})\s*年(?:度|以来)?|今年以来|今年来|一年来|近年来|去年以来)\s*")
#: Clauses before the subject: ``在市委、市政府的坚强领导下``, ``根据…``, ``为深入贯彻…``.
ADVERBIAL = ("在", "根据", "按照", "依据", "为", "以")


def opening_clauses(opening: str, count: int = 4, within: int = 8) -> list[str]:
    """The first ``count`` clauses of the opening that may hold its subject, time openers stripped.

    Clauses opening with 在/根据/为… are passed over without counting: ``2023年，在市委…下，在省厅…下，
    在市人大…下，嘉兴市司法局坚持…`` still reaches 嘉兴市司法局 (within the first ``within`` clauses).
    """
    found: list[str] = []
    for clause in re.split(r"[，,。；;]", fold(opening))[:within]:
        clause = TIME_OPENER.sub("", clause.strip())
        if not clause or clause.startswith(ADVERBIAL):
            continue
        found.append(clause)
        if len(found) == count:
            break
    return found


def full_name(report: Report) -> str | None:
    """The issuer's full name(s) as the text gives them, when ``agency`` is only a self-reference.

    Issuer lines above the title or a signature that name a place: ``中共桃源县委员会`` + ``桃源县人民政府``
    → 中共桃源县委员会、桃源县人民政府. None when the text has no such name (the officer is asked).
    """
    candidates = []
    if report.title_lines and len(report.title_lines) > 1 and fold(report.title_lines[-1]).startswith("关于"):
        candidates.append("、".join(compact(line) for line in report.title_lines[:-1]))
    if report.signature and report.signature.agency:
        candidates.append(report.signature.agency)
    for name in candidates:
        if plausible(name) and not is_self_reference(name) and _names_a_place(name):
            return name
    return None


def _names_a_place(name: str) -> bool:
    # (the gazetteer is read only when a self-reference needs a full name: places loads it lazily)
    return all(places.names_place(piece) for piece in name.split("、") if piece)
