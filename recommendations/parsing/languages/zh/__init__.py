"""Chinese (中文): the UN's Chinese translations and the seed reports."""

import re

from ...metadata import parse_metadata
from ...text import CJK, SENTENCE_END, join_lines, normalise
from .. import LanguageProfile, body_names

_NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}


def section_number(text: str) -> int:
    """一 … 九十九 to an int."""
    if text.startswith("十"):
        text = "一" + text
    if "十" in text:
        tens, _, units = text.partition("十")
        return _NUMERALS.get(tens, 0) * 10 + _NUMERALS.get(units, 0)
    return _NUMERALS.get(text, 0)


_CONNECTOR = re.compile(r"^(?:因此|此外|另外|最后|为此|鉴此|鉴于上述情况|有鉴于此)[，,]\s*")
_ADDRESSEE = re.compile(
    r"^(.*?(?:不妨|似[还亦也]?宜|谨建议|建议|促请|吁请|敦促|鼓励)(?:考虑)?(?:请|鼓励|促请|吁请)?(?:各?会员国)?)"
)


# "建议" used as a noun ("这些建议", "载有建议的报告") does not ask anyone to act.
_NOUN_USES = re.compile(
    r"(?:的|项|些|条|份|关于|载有|提出的|通过的|执行|落实|采纳|审议)建议|建议(?:的|书|草案|部分|一节)"
)


def recommending_scope(text: str) -> str:
    """The whole paragraph, with noun uses of 建议 blanked out: a paragraph may open
    with a description or a clause ("鉴于……，") before it recommends."""
    return _NOUN_USES.sub(lambda match: "　" * len(match.group(0)), _CONNECTOR.sub("", text))


def addressee(text: str) -> str:
    match = _ADDRESSEE.match(_CONNECTOR.sub("", text))
    return match.group(1) if match else ""


_BODY_NAMES = {name.replace(" ", ""): code for name, code in body_names("zh").items()}


def addressed_bodies(addressee: str, report_bodies: list[str]) -> tuple[str, ...]:
    """Bodies named in the addressee clause; "委员会" alone is the report's commission."""
    compact = addressee.replace(" ", "")
    codes = [code for name, code in _BODY_NAMES.items() if name in compact]
    if not codes and "委员会" in compact:
        commissions = [code for code in report_bodies if code in {"CND", "CCPCJ"}]
        codes = commissions if ("各委员会" in compact or len(commissions) == 1) else []
    return tuple(dict.fromkeys(codes))


def _read_cover(lines, footnotes, is_markdown):
    return parse_metadata(lines, footnotes, is_markdown=is_markdown)


PROFILE = LanguageProfile(
    code="zh",
    name="中文",
    script=re.compile(f"[{CJK}]"),
    markers=None,
    section=re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*[、.．]\s*(\S.{0,60}?)\s*$"),
    section_number=section_number,
    annex=re.compile(r"^\s*(?:附件[一二三四五六七八九十]*|Annex(?:es)?)\s*(?P<title>)$"),
    letter_heading=re.compile(r"^\s*[A-Z]\s*[.．]\s*(\S.{0,40})$"),
    table_of_contents=re.compile(r"(?:\.{4,}|…{2,})\s*\d*\s*$"),
    recommendation_titles=(re.compile("建议"), re.compile("结论")),
    excluded_titles=re.compile(r"附属机构的建议"),
    section_end=re.compile(r"^\s*(?:注|附注|尾注)\s*$"),
    max_title_length=40,
    title=re.compile(r"^[^，。；：:;,！？!?]+$"),
    heading_lines=1,
    headings_need_space=False,
    block=None,
    block_end=None,
    recommending=re.compile(
        r"不妨|似[还亦也]?宜|谨建议|建议|促请|吁请|敦促|鼓励|请会员国|请各会员国|应考虑"
    ),
    not_recommending=None,
    recommending_scope=recommending_scope,
    items_carry_signal=False,
    chapeau=re.compile(r"(?:以下|下列)(?:各项)?建议[。：:]?$"),
    addressee=addressee,
    chapeau_addressee=lambda text: text.rstrip("：: "),
    operative=None,
    join_lines=join_lines,
    normalise=normalise,
    sentence_end=SENTENCE_END,
    read_cover=_read_cover,
    body_names=_BODY_NAMES,
    addressed_bodies=addressed_bodies,
)
