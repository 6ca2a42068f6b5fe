"""Themes kept in the database: keywords loaded by migrate, edited and added by staff in
the admin, used by the next import; recommendations without a theme shown as "No theme"."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations import roles
from recommendations.models import Recommendation, RecommendationTheme, Report, Theme
from recommendations.parsing import Taxonomy
from recommendations.parsing.themes import clean_keywords
from recommendations.reference_data import load_themes, theme_rows
from recommendations.selectors.coverage import coverage_by_theme
from recommendations.selectors.themes import taxonomy
from recommendations.services.demo import demo_build
from tests.forms import form_data
from tests.integration.shared import make_user

pytestmark = pytest.mark.django_db

REPORTS = Path(__file__).resolve().parents[1] / "data" / "reports" / "en"
HAITI = REPORTS / "S_2025_303.pdf"  # UNODC: arms trafficking and illicit financial flows
UNDP = REPORTS / "DP_2025_7.pdf"  # UNDP evaluation policy: 16 items, 4 match no keyword
ADD_URL = "/admin/recommendations/theme/add/"
RECOMMENDATIONS_URL = "/admin/recommendations/recommendation/"


def import_report(*paths) -> str:
    out = StringIO()
    call_command("import_report", *map(str, paths), stdout=out, stderr=out)
    return out.getvalue()


def themes_of(path, label):
    rec = Recommendation.objects.get(report__source_file=path.name, label=label)
    return [link.theme.code for link in rec.theme_links.order_by("theme__position")]


def add_theme(client, **values):
    data = form_data(client.get(ADD_URL).content.decode(), "theme_form")
    data.update({name: [value] for name, value in values.items()})
    return client.post(ADD_URL, data)


# Loaded by migrate, read by the import -----------------------------------------------------


def test_migrate_loads_the_keywords_per_language():
    expected = {row["code"]: clean_keywords(row["keywords"]) for row in theme_rows()}
    assert {theme.code: theme.keywords for theme in Theme.objects.all()} == expected
    corruption = Theme.objects.get(code="corruption")
    assert "《反腐败公约》" in corruption.keywords_in("zh")
    assert "asset recovery" in corruption.keywords_in("en")


def test_reloading_the_themes_updates_names_but_keeps_staff_keywords():
    Theme.objects.filter(code="corruption").update(
        name_en="Anti-corruption", keywords={"zh": ["贿赂"], "en": ["bribery"]}
    )
    Theme.objects.filter(code="drugs").update(keywords={"zh": ["毒品"]})  # English removed
    load_themes(Theme)
    corruption = Theme.objects.get(code="corruption")
    assert corruption.name_en == "Countering corruption"  # names follow the file
    assert corruption.keywords == {"zh": ["贿赂"], "en": ["bribery"]}  # staff's, kept
    drugs = Theme.objects.get(code="drugs").keywords
    assert drugs["zh"] == ["毒品"] and "drug trafficking" in drugs["en"]  # only the gap filled


def test_taxonomy_selector_builds_the_parser_taxonomy_from_the_rows():
    with CaptureQueriesContext(connection) as queries:
        rules = taxonomy()
    assert len(queries) == 1
    assert rules == Taxonomy.load()  # as migrated: the same as data/themes.json
    Theme.objects.filter(code="finance").update(keywords={"en": ["pledging conference"]})
    Theme.objects.create(code="new", name_zh="新", name_en="New", position=0)
    rules = taxonomy()
    assert rules.themes[0].code == "new"  # in the rows' order
    assert rules.by_keywords("a pledging conference", language="en") == ("finance",)
    assert rules.by_keywords("资金和预算") == ()  # the Chinese keywords were removed


# The admin -----------------------------------------------------------------------------


def test_staff_add_a_theme_with_an_english_keyword_and_the_next_import_assigns_it(client, staff):
    response = add_theme(
        client,
        code="arms",
        name_zh="枪支和弹药",
        name_en="Firearms and ammunition",
        keywords_zh="枪支\n\n弹药\n",
        keywords_en="arms trafficking\r\nBorder control\r\n  border   control ",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    theme = Theme.objects.get(code="arms")
    assert theme.keywords == {"zh": ["枪支", "弹药"], "en": ["arms trafficking", "Border control"]}
    assert theme.position == 9  # after the eight themes of the file

    output = import_report(HAITI)
    assert "arms 2" in output  # the import's theme counts
    # 62 "arms trafficking, improved border control"; 64 "reinforce border control".
    assert themes_of(HAITI, "62") == ["organized-crime", "arms"]
    assert themes_of(HAITI, "64") == ["organized-crime", "arms"]
    assert themes_of(HAITI, "56") == ["corruption"]
    assert RecommendationTheme.objects.filter(theme=theme).first().source == "rule"


def test_every_haiti_recommendation_gets_organized_crime_or_corruption(client, staff):
    import_report(HAITI)
    recs = Recommendation.objects.filter(report__source_file=HAITI.name)
    assert recs.count() == 9
    for rec in recs:
        assert {"organized-crime", "corruption"} & {t.code for t in rec.themes.all()}, rec.label


def test_staff_edit_keywords_of_a_theme_but_not_its_code(client, staff):
    theme = Theme.objects.get(code="programme")
    url = f"/admin/recommendations/theme/{theme.pk}/change/"
    html = client.get(url).content.decode()
    assert "results-based management" in html and 'name="code"' not in html
    data = form_data(html, "theme_form")
    assert "theory of change" in data["keywords_en"][0].splitlines()
    data["keywords_en"] = ["IEO Director"]
    data["code"] = ["renamed"]  # not a field on the change form: ignored
    assert client.post(url, data).status_code == 302
    theme.refresh_from_db()
    assert theme.code == "programme"
    assert theme.keywords["en"] == ["IEO Director"]
    assert "评价" in theme.keywords["zh"]  # the Chinese ones untouched

    import_report(UNDP)
    assert themes_of(UNDP, "1.1") == ["programme"]  # "the tenure of the IEO Director"
    assert themes_of(UNDP, "2") == []  # "evaluation" is no longer a keyword


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"code": "total"}, "code", "is reserved for the coverage table"),
        ({"code": "unthemed"}, "code", "is reserved for the coverage table"),
        ({"code": "drugs"}, "code", "already exists"),
        ({"code": "Not a slug!"}, "code", "letters, numbers, underscores or hyphens"),
        ({"keywords_en": "fine\n-- --\n"}, "keywords_en", "no letter or digit"),
        ({"keywords_zh": "。。"}, "keywords_zh", "no letter or digit"),
    ],
)
def test_bad_themes_are_refused(client, staff, values, field, message):
    data = {"code": "new", "name_zh": "新主题", "name_en": "New theme", **values}
    response = add_theme(client, **data)
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert not Theme.objects.filter(name_en="New theme").exists()


def test_who_may_change_themes(client):
    theme = Theme.objects.get(code="corruption")
    url = f"/admin/recommendations/theme/{theme.pk}/change/"
    viewer = make_user("viewer", perms=["view_theme"])
    client.force_login(viewer)
    assert client.get(ADD_URL).status_code == 403
    html = client.get(url).content.decode()
    assert "<textarea" not in html
    assert "asset recovery" in html and "《反腐败公约》" in html  # shown read-only
    assert client.post(url, {"keywords_en": "x"}).status_code == 403

    secretary = make_user("secretary", group=roles.SECRETARIAT)
    client.force_login(secretary)
    assert client.get(ADD_URL).status_code == 200
    assert 'name="keywords_en"' in client.get(url).content.decode()
    assert client.get(f"/admin/recommendations/theme/{theme.pk}/delete/").status_code == 403
    listing = client.get("/admin/recommendations/theme/").content.decode()
    assert "zh 5 · en 18" in listing  # keyword counts per language


# "No theme" ----------------------------------------------------------------------------


def test_recommendations_without_a_theme_are_listed_filtered_and_counted(client, staff):
    import_report(UNDP, HAITI)
    unthemed = {"1.1", "1.2", "4.2", "9.3"}  # DP/2025/7: no keyword in their text
    assert {rec.label for rec in Recommendation.objects.filter(themes__isnull=True)} == unthemed

    response = client.get(RECOMMENDATIONS_URL, {"themes__isnull": "True"})
    assert {rec.label for rec in response.context["cl"].result_list} == unthemed
    html = response.content.decode()
    assert html.count('<td class="field-theme_codes">No theme</td>') == 4
    all_html = client.get(RECOMMENDATIONS_URL).content.decode()
    assert "?themes__isnull=True" in all_html and ">No theme</a>" in all_html  # the filter
    chinese = client.get(RECOMMENDATIONS_URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">无主题</a>" in chinese and 'field-theme_codes">无主题</td>' in chinese
    rec = Recommendation.objects.get(label="9.3")
    detail = client.get(f"{RECOMMENDATIONS_URL}{rec.pk}/change/").content.decode()
    assert "No theme" in detail  # the theme sources line

    coverage = coverage_by_theme()
    assert coverage["unthemed"]["recommendations"] == 4
    assert "unthemed" not in [row["code"] for row in coverage["themes"]]
    assert coverage["total"]["recommendations"] == 16 + 9
    report = Report.objects.get(source_file=UNDP.name)
    assert coverage_by_theme(report=report)["unthemed"]["recommendations"] == 4


def test_no_theme_filter_query_count_does_not_grow_with_the_data(client, staff):
    def queries():
        client.get(RECOMMENDATIONS_URL, {"themes__isnull": "True"})  # warm up
        with CaptureQueriesContext(connection) as captured:
            response = client.get(RECOMMENDATIONS_URL, {"themes__isnull": "True"})
        assert response.status_code == 200 and len(response.context["cl"].result_list) > 0
        return len(captured)

    counts = []
    for size in ({"recommendations": 20, "follow_ups": 100}, {"recommendations": 200}):
        demo_build(seed=8, **{"follow_ups": 1000, **size})
        every_third = Recommendation.objects.order_by("pk").values("pk")[::3]
        RecommendationTheme.objects.filter(
            recommendation__in=[row["pk"] for row in every_third]
        ).delete()
        counts.append(queries())
    assert counts[0] == counts[1]
