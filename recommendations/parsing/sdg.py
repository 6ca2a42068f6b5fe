"""SDG goals, targets and indicators cited in a text: 目标 16, 指标 3.3, 3.b, 16.4.2."""

import re

_REF = r"(\d{1,2})(?:\.(\d{1,2}|[a-g]))?(?:\.(\d{1,2}))?"
_TRIGGER = re.compile(
    rf"(?:可持续发展目标|具体目标|指标|目标|SDGs?|Goal|target|indicator)\s*(?:第\s*)?{_REF}(?![\d./])",
    re.IGNORECASE,
)
_FOLLOWING = re.compile(rf"^\s*(?:和|、|及|与|以及|,|，|and)\s*{_REF}(?![\d./])")


def _format(goal: str, target: str | None, indicator: str | None) -> str | None:
    if not 1 <= int(goal) <= 17:
        return None
    if indicator and not target:
        return None
    return ".".join(part for part in (goal, target, indicator) if part)


def extract_sdg_targets(text: str) -> tuple[str, ...]:
    """Return the SDG references in order of first appearance, without duplicates."""
    found: list[str] = []
    for match in _TRIGGER.finditer(text):
        refs = [match.groups()]
        rest = text[match.end() :]
        while following := _FOLLOWING.match(rest):
            refs.append(following.groups())
            rest = rest[following.end() :]
        for goal, target, indicator in refs:
            ref = _format(goal, target, indicator)
            if ref and ref not in found:
                found.append(ref)
    return tuple(found)
