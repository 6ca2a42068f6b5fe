"""Every admin page in words, in Chinese and in English: the index, the changelist and a
change page of every registered model, and the History pages, rendered for a Secretariat
officer on the seeds with follow-ups, actions, a verified claim, themes set by staff and a
revoked token. A page fails on a raw code where a label exists (statuses, responses, kinds
of action, theme sources, theme codes, True/False) and, in Chinese, on an English string
of the project's catalogue rendered verbatim (an untranslated label)."""

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from simple_history.admin import SimpleHistoryAdmin

from recommendations.admin.history import channel_phrase
from recommendations.choices import ActionKind, Response, Status, ThemeSource
from recommendations.models import Body, FollowUp, MemberState, Recommendation, Report, Theme
from recommendations.services import deadlines as deadline_services
from recommendations.services import follow_ups as follow_up_services
from recommendations.services import recommendations as recommendation_services
from recommendations.services import tokens as token_services
from tests.integration.shared import SEED_2017, make_follow_up

pytestmark = pytest.mark.django_db

PO = Path(__file__).resolve().parents[2] / "recommendations/locale/zh_Hans/LC_MESSAGES/django.po"
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
CODES = {*Status.values, *Response.values, *ActionKind.values, *ThemeSource.values}
# What a segment of text is cut at: a code shows up as "drugs", "主题来源: drugs (…)",
# "in_progress → not_implemented", "drugs, crime".
SEPARATORS = re.compile(r"\s*(?:[,;:：，；（）()→\[\]·]|\s—\s)\s*")


class VisibleText(HTMLParser):
    """The text nodes a reader sees (not scripts, styles or the hidden templates of
    inline forms), each stripped."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__()
        self.nodes, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._hidden:
            self.nodes.append(text)


def visible(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.nodes


def segments(nodes: list[str]) -> set[str]:
    return {part for node in nodes for part in [node, *SEPARATORS.split(node)] if part}


def catalogue() -> list[tuple[str, str]]:
    """The project's catalogue: (English msgid, Chinese msgstr) of every entry, singular
    and plural, read from the .po file (no dependency: an entry is a run of quoted lines)."""
    entries, entry, key = [], {}, None
    for line in [*PO.read_text(encoding="utf-8").splitlines(), ""]:
        match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?|msgctxt) "(.*)"$', line)
        if match:
            key = match.group(1)
            entry[key] = match.group(2)
        elif line.startswith('"') and key:
            entry[key] += line[1:-1]
        else:
            translated = entry.get("msgstr", entry.get("msgstr[0]", ""))
            for msgid in (entry.get("msgid"), entry.get("msgid_plural")):
                if msgid:
                    entries.append((_unescape(msgid), _unescape(translated)))
            entry, key = {}, None
    return entries


def _unescape(text: str) -> str:
    escapes = {"n": "\n", "t": "\t"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), text)


def as_pattern(msgid: str) -> re.Pattern:
    """A msgid as the page shows it: placeholders filled with anything, capitalised or
    not (Django capitalises field labels)."""
    parts = re.split(r"%\(\w+\)[sd]|%[sd]|\{\{?\s*\w+\s*\}?\}", msgid)
    body = ".+?".join(re.escape(part) for part in parts)
    first = re.escape(msgid[:1])
    return re.compile(rf"(?i:{first}){body[len(first) :]}" if msgid[:1].isalpha() else body)


@pytest.fixture
def world(seeds, staff, liaison):
    """Follow-ups through each channel, an action, a verified claim, themes set by staff,
    a language-independent token revoked."""
    first, second, third = Recommendation.objects.filter(report__symbol=SEED_2017)[:3]
    claim = make_follow_up(first, "KEN", Status.IN_PROGRESS, user=liaison)
    follow_up_services.follow_up_update(
        follow_up=claim, data={"status": Status.IMPLEMENTED}, user=liaison, via="api"
    )
    follow_up_services.follow_up_verify(follow_up=claim, user=staff, via="admin")
    follow_up_services.action_create(
        follow_up=claim,
        user=liaison,
        date=datetime.date(2024, 5, 1),
        kind=ActionKind.LEGISLATION,
        description="A law on drug control was adopted.",
        via="api",
    )
    other = make_follow_up(second, "FRA", Status.IN_PROGRESS, user=staff, response="accepted")
    follow_up_services.follow_up_update(
        follow_up=other, data={"status": Status.NOT_IMPLEMENTED}, user=staff, via="admin"
    )
    make_follow_up(third, "KEN", Status.IMPLEMENTED, user=liaison)  # a claim awaiting
    recommendation_services.recommendation_set_themes(
        recommendation=first, themes=Theme.objects.all()[:2], user=staff, via="admin"
    )
    # Deadlines: a session of CND makes the report overdue, a recommendation has its own.
    deadline_services.body_session_create(
        data={
            "body": Body.objects.get(code="CND"),
            "name": "第七十届会议",
            "start_date": timezone.localdate() - datetime.timedelta(days=40),
        },
        user=staff,
        via="admin",
    )
    deadline_services.recommendation_due_date_set(
        recommendation=second, due_date=datetime.date(2099, 1, 1), user=staff, via="admin"
    )
    token, _key = token_services.token_issue(user=staff, name="for the test")
    token_services.token_revoke(token=token, user=staff)
    token_services.token_issue(user=staff, name="live")
    return first


class Posted(str):
    """A page reached by a POST (an admin action's own page): its address, and the data."""

    def __new__(cls, url: str, data: dict):
        page = super().__new__(cls, url)
        page.data = data
        return page


def questionnaire_pages(client) -> list[str]:
    """The questionnaire's pages: the download action's page (member states, a report),
    the upload page, a preview with a change, a new action, a conflict and a problem, and
    the result of a questionnaire applied."""
    from django.contrib.admin import helpers

    from recommendations.questionnaires.services import questionnaire_export
    from tests.integration.test_admin_questionnaire import answers_in_chinese
    from tests.questionnaire_helpers import fill

    kenya = MemberState.objects.get(iso3="KEN")
    _first, second, third, fourth = Recommendation.objects.filter(report__symbol=SEED_2017)[:4]
    report = Report.objects.get(symbol=SEED_2017)
    states = reverse("admin:recommendations_memberstate_changelist")
    reports = reverse("admin:recommendations_report_changelist")
    upload = reverse("admin:recommendations_questionnaire_upload")
    exported = questionnaire_export(member_state=kenya, report=SEED_2017, language="zh")
    claim = FollowUp.objects.get(recommendation=third, member_state=kenya)
    follow_up_services.follow_up_update(
        follow_up=claim, data={"status": Status.IN_PROGRESS}, user=None, via="admin"
    )  # since the export: a conflict
    action = (SEED_2017, fourth.label, "2024-06-30", "供资", "预算", "")
    answers = {second.label: ("已执行", "接受"), third.label: ("不适用", "")}

    def preview(data: bytes) -> str:
        file = SimpleUploadedFile("肯尼亚问卷.xlsx", data)
        return client.post(upload, {"file": file})["Location"]

    applied = preview(fill(exported, edit=answers_in_chinese(answers), actions=[action]))
    client.post(applied, {"apply": "others"})
    problem = {**answers, fourth.label: ("完成", "")}
    return [
        Posted(states, {"action": "download_questionnaires", helpers.ACTION_CHECKBOX_NAME: ["KEN", "FRA"]}),
        Posted(reports, {"action": "download_report_questionnaire", helpers.ACTION_CHECKBOX_NAME: [report.pk]}),
        upload,
        preview(fill(exported, edit=answers_in_chinese(problem), actions=[action])),
        f"{applied}result/",
    ]  # fmt: skip


def admin_pages(user, client=None) -> list[str]:
    """The index; for every registered model the user may view its changelist, a change
    page and, with a history, its History page; with a client, the questionnaire's pages
    too."""
    pages = [reverse("admin:index")]
    if client is not None:
        pages += questionnaire_pages(client)
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        if not user.has_perm("{}.view_{}".format(*info)):
            continue
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        first = model_admin.get_queryset(_Request()).order_by("pk")[:1]
        for obj in [*first, *_with_history(model, model_admin)]:
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
            if isinstance(model_admin, SimpleHistoryAdmin):
                pages.append(reverse("admin:{}_{}_history".format(*info), args=[obj.pk]))
    return list(dict.fromkeys(pages))


class _Request:
    """What a ModelAdmin's get_queryset may look at."""

    class user:
        is_superuser = True


def _with_history(model, model_admin):
    """The object of the model with the most history records (changes to read)."""
    if not isinstance(model_admin, SimpleHistoryAdmin):
        return []
    pk = model._meta.pk.attname
    busiest = model.history.values(pk).annotate(n=Count("pk")).order_by("-n", pk).first()
    return list(model.objects.filter(pk=busiest[pk])) if busiest else []


def render(client, url: str, language: dict) -> list[str]:
    if isinstance(url, Posted):
        response = client.post(url, url.data, **language)
    else:
        response = client.get(url, **language)
    assert response.status_code == 200, url
    return visible(response.content.decode())


def raw_codes(url: str, nodes: list[str]) -> set[str]:
    """Codes shown where a label exists."""
    found = set()
    parts = segments(nodes)
    found |= {part for part in parts if part in CODES or part in {"True", "False"}}
    found |= {code for code in CODES if "_" in code for node in nodes if code in node}
    if "/theme/" not in url:  # a theme's own pages show its code as a field
        found |= parts & set(Theme.objects.values_list("code", flat=True))
    return found


def test_every_admin_page_shows_labels_not_codes(staff_client, staff, world):
    problems = {}
    for url in admin_pages(staff, staff_client):
        for language in (ENGLISH, CHINESE):
            codes = raw_codes(url, render(staff_client, url, language))
            if codes:
                problems[f"{url} [{language['HTTP_ACCEPT_LANGUAGE']}]"] = sorted(codes)
    assert not problems


def test_the_chinese_admin_shows_no_english_label_of_the_catalogue(staff_client, staff, world):
    """A msgid of the catalogue rendered verbatim in a Chinese page is untranslated.
    Data (titles, names, file names) is allowed: it is never a whole msgid."""
    entries = catalogue()
    same = {msgid for msgid, msgstr in entries if msgstr == msgid}  # "English" is English
    patterns = {
        msgid: as_pattern(msgid)
        for msgid, _msgstr in entries
        if re.search("[A-Za-z]", msgid) and msgid not in same
    }
    untranslated = {}
    for url in admin_pages(staff, staff_client):
        parts = segments(render(staff_client, url, CHINESE))
        for msgid, pattern in patterns.items():
            if any(pattern.fullmatch(part) for part in parts):
                untranslated.setdefault(msgid, []).append(url)
    assert not untranslated, "\n".join(f"{m!r}: {u[:3]}" for m, u in sorted(untranslated.items()))


def test_history_reads_in_words(staff_client, world, liaison):
    claim = FollowUp.objects.get(recommendation=world, member_state="KEN")
    url = reverse("admin:recommendations_followup_history", args=[claim.pk])
    english = " | ".join(render(staff_client, url, ENGLISH))
    assert "Status:" in english and "In progress" in english and "Implemented" in english
    assert "through the API by nairobi" in english
    assert "in the admin by officer" in english
    assert "in_progress" not in english and "True" not in english
    assert "Version:" not in english  # the counter of conditional writes says nothing
    chinese = " | ".join(render(staff_client, url, CHINESE))
    assert "in_progress" not in chinese and "nairobi" in chinese


def test_names_people_use(world):
    report = Report.objects.get(symbol=SEED_2017)
    assert str(report) == "联合国毒品和犯罪问题办公室的活动"  # no symbol stated, no date
    report.symbol, report.symbol_from_text = "A/80/75", True
    report.title = "Implementation of the United Nations Convention against Transnational " * 2
    report.document_date = datetime.date(2025, 5, 2)
    assert str(report).startswith("A/80/75 — Implementation of the United Nations")
    assert str(report).endswith("… (2025)") and len(str(report)) < 80
    world.report = report
    follow_up = FollowUp(recommendation=world, member_state_id="KEN")
    with translation.override("en"):
        assert str(follow_up) == f"A/80/75 {world.label} · Kenya"
    with translation.override("zh-hans"):
        assert str(follow_up) == f"A/80/75 {world.label} · 肯尼亚"
    report.symbol_from_text, report.title = False, ""
    assert str(report) == SEED_2017  # neither stated: the file name


@pytest.mark.parametrize(
    ("reason", "user", "phrase"),
    [
        ("api", "nairobi", "through the API by nairobi"),
        ("admin", "officer", "in the admin by officer"),
        ("import A/80/75.pdf", None, "by import of A/80/75.pdf"),
        ("command create_liaison", None, "by the command create_liaison"),
        ("questionnaire 2025", None, "by questionnaire 2025"),
        (
            "admin: verified — seen the law",
            "officer",
            "in the admin by officer: claim verified — seen the law",
        ),
        ("history began", None, "as found when its history began"),
        ("", None, "—"),
    ],
)
def test_channel_phrase(django_user_model, reason, user, phrase):
    who = django_user_model(username=user) if user else None
    with translation.override("en"):  # a request before may have left Chinese active
        assert channel_phrase(reason, who) == phrase
    with translation.override("zh-hans"):
        assert channel_phrase(reason, who) != phrase or reason == ""


# Words of the data and of names that are English in Chinese too; anything else in Latin
# letters on a Chinese page is an English label (a msgid not yet in the catalogue, or a
# string of Django's without a Chinese translation).
LATIN = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u3400-\u9fff]")
ENGLISH_IN_CHINESE = {"English", "API", "SHA", "CSV", "ISO", "ISO3", "SDG", "UNODC", "UN", "ID"}
ENGLISH_IN_CHINESE |= {"Excel", "XLSX", "UTF", "ZIP"}  # file formats, named as they are


def data_words() -> set[str]:
    """Every Latin word stored in the data the pages show."""
    from django.contrib.auth import get_user_model

    from recommendations.models import Action, ApiToken, Body, MemberState, ReportSession

    values = [
        *get_user_model().objects.values_list("username", flat=True),
        *Report.objects.values_list("symbol", "title", "source_file", "author", "sha256"),
        *Report.objects.values_list("source_format", "recommendations_section", "language"),
        *ReportSession.objects.values_list(
            "body_name", "session", "dates", "place", "agenda_symbol", "agenda_title"
        ),
        *Theme.objects.values_list("code", "name_en", "keywords"),
        *Body.objects.values_list("code", "name_en"),
        *MemberState.objects.values_list("iso3", "name_en"),
        *ApiToken.objects.values_list("prefix", "name"),
        *Action.objects.values_list("description", "evidence_url"),
        *Recommendation.objects.values_list("text", "label", "addressee", "heading"),
    ]
    return {word for value in values for word in LATIN.findall(str(value))}


def english_words(nodes: list[str], allowed: set[str]) -> set[str]:
    """The text of a page in English: in a text node with more letters of Latin words
    that are neither data nor names than Chinese characters, the parts holding such
    words. A Chinese sentence that quotes an English example ("Member States") is
    Chinese."""

    def english(text: str) -> bool:
        latin = sum(len(word) for word in LATIN.findall(text) if word not in allowed)
        return bool(latin) and latin >= len(CJK.findall(text))

    return {part for node in nodes if english(node) for part in segments([node]) if english(part)}


def test_the_chinese_admin_shows_no_english_words(staff_client, staff, world):
    """Catches English labels that are not in the catalogue at all: new strings marked
    for translation but not yet extracted, and Django's own strings without Chinese."""
    allowed = data_words() | ENGLISH_IN_CHINESE
    english = {}
    for url in admin_pages(staff, staff_client):
        for part in english_words(render(staff_client, url, CHINESE), allowed):
            english.setdefault(part, []).append(url)
    assert not english, "\n".join(f"{part!r}: {urls[:2]}" for part, urls in sorted(english.items()))
