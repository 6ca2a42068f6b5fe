"""Themes, bodies and member states in the admin: every change goes through
services/reference.py and leaves a history record with the user and "admin"; staff add
and change themes, only superusers change bodies and member states; History is shown."""

import pytest
from django.core.exceptions import ValidationError

from recommendations import roles
from recommendations.models import Body, MemberState, Theme
from recommendations.services import reference as reference_services
from tests.forms import form_data
from tests.integration.shared import make_user

pytestmark = pytest.mark.django_db

ADMIN = "/admin/recommendations"


def submit(client, url, form_id, **values):
    """GET the admin form, change some fields, POST it back as a browser would."""
    data = form_data(client.get(url).content.decode(), form_id)
    data.update({name: [value] for name, value in values.items()})
    return client.post(url, data)


def last_record(instance_or_model, **lookup):
    return instance_or_model.history.filter(**lookup).order_by("history_id").last()


def assert_on_record(record, user, kind):
    assert record is not None
    assert record.history_type == kind
    assert record.history_user == user
    assert record.history_change_reason == "admin"


# Themes: staff of the Secretariat add and change them ---------------------------------


def test_staff_add_and_change_a_theme_on_record(client, staff):
    response = submit(
        client,
        f"{ADMIN}/theme/add/",
        "theme_form",
        code="cyber",
        name_zh="网络犯罪",
        name_en="Cybercrime",
        keywords_en="cybercrime\n  electronic   evidence \ncybercrime",
        keywords_zh="网络犯罪",
    )
    assert response.status_code == 302
    theme = Theme.objects.get(code="cyber")
    assert theme.keywords == {"zh": ["网络犯罪"], "en": ["cybercrime", "electronic evidence"]}
    assert_on_record(last_record(theme), staff, "+")

    url = f"{ADMIN}/theme/{theme.pk}/change/"
    assert submit(client, url, "theme_form", name_en="Cybercrime and e-evidence").status_code == 302
    theme.refresh_from_db()
    assert theme.name_en == "Cybercrime and e-evidence"
    assert_on_record(last_record(theme), staff, "~")
    assert theme.history.count() == 2

    # Saving the form unchanged writes nothing: no record.
    assert submit(client, url, "theme_form").status_code == 302
    assert theme.history.count() == 2

    history = client.get(f"{url.removesuffix('change/')}history/")
    assert history.status_code == 200
    assert "officer" in history.content.decode()


def test_the_first_change_of_a_theme_loaded_by_migrate_shows_what_it_changed(client, staff):
    theme = Theme.objects.get(code="finance")
    assert not theme.history.exists()  # migrate loads reference data without history
    url = f"{ADMIN}/theme/{theme.pk}/change/"
    assert submit(client, url, "theme_form").status_code == 302  # unchanged: no record
    assert not theme.history.exists()

    assert submit(client, url, "theme_form", name_en="Finance").status_code == 302
    began, change = theme.history.order_by("history_id")
    assert began.history_change_reason == reference_services.HISTORY_BEGINS
    assert began.history_user is None and began.name_en == "Finance and partnerships"
    assert_on_record(change, staff, "~")
    delta = change.diff_against(began)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("name_en", "Finance and partnerships", "Finance")
    ]


def test_a_superuser_deletes_an_unused_theme_on_record(admin_client, admin_user):
    theme = reference_services.theme_create(
        data={"code": "spare", "name_zh": "备用", "name_en": "Spare"}, user=None, via="test"
    )
    response = admin_client.post(f"{ADMIN}/theme/{theme.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Theme.objects.filter(code="spare").exists()
    assert_on_record(Theme.history.filter(code="spare").latest("history_id"), admin_user, "-")


def test_the_theme_rules_are_the_services(client, staff):
    """Reserved codes and unusable keywords are refused by the service itself, whatever
    calls it (the admin's form shows the same messages: test_themes.py)."""
    with pytest.raises(ValidationError, match="reserved for the coverage table"):
        reference_services.theme_create(
            data={"code": "total", "name_zh": "合计", "name_en": "Total"}, user=staff
        )
    theme = Theme.objects.get(code="drugs")
    records = theme.history.count()
    with pytest.raises(ValidationError, match="no letter or digit"):
        reference_services.theme_update(
            theme=theme, data={"keywords": {"en": ["heroin", "--"]}}, user=staff
        )
    with pytest.raises(ValidationError, match="cannot be changed"):
        reference_services.theme_update(theme=theme, data={"code": "narcotics"}, user=staff)
    assert Theme.objects.filter(code="drugs").exists()
    assert not Theme.objects.filter(code="total").exists()
    assert theme.history.count() == records


# Bodies and member states: staff view them, superusers change them ---------------------


@pytest.mark.parametrize(
    ("model", "add", "change"),
    [
        (
            Body,
            {"code": "UNEA", "name_zh": "联合国环境大会", "name_en": "UN Environment Assembly"},
            {"name_en": "United Nations Environment Assembly"},
        ),
        (
            MemberState,
            {"iso3": "XKX", "name_en": "Testland", "name_zh": "测试国"},
            {"name_zh": "测试共和国"},
        ),
    ],
)
def test_a_superuser_adds_changes_and_deletes_on_record(
    admin_client, admin_user, model, add, change
):
    name = model._meta.model_name
    form_id = f"{name}_form"
    assert submit(admin_client, f"{ADMIN}/{name}/add/", form_id, **add).status_code == 302
    instance = model.objects.get(pk=model.objects.get(**add).pk)
    assert_on_record(last_record(instance), admin_user, "+")

    url = f"{ADMIN}/{name}/{instance.pk}/change/"
    html = admin_client.get(url).content.decode()
    code = next(iter(add))
    assert f'name="{code}"' not in html  # the code is read-only once created
    assert submit(admin_client, url, form_id, **change).status_code == 302
    instance.refresh_from_db()
    assert all(getattr(instance, field) == value for field, value in change.items())
    assert_on_record(last_record(instance), admin_user, "~")
    assert admin_client.get(f"{ADMIN}/{name}/{instance.pk}/history/").status_code == 200

    assert (
        admin_client.post(f"{ADMIN}/{name}/{instance.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    assert not model.objects.filter(pk=instance.pk).exists()
    assert_on_record(
        model.history.filter(**{code: add[code]}).latest("history_id"), admin_user, "-"
    )


@pytest.mark.parametrize(("name", "pk"), [("body", None), ("memberstate", "KEN")])
def test_staff_view_bodies_and_member_states_and_their_history_only(client, name, pk):
    secretary = make_user("secretary", group=roles.SECRETARIAT)
    client.force_login(secretary)
    if pk is None:
        pk = Body.objects.order_by("code").first().pk
    url = f"{ADMIN}/{name}/{pk}/"
    assert client.get(f"{ADMIN}/{name}/").status_code == 200
    assert client.get(f"{ADMIN}/{name}/add/").status_code == 403
    assert client.get(f"{url}delete/").status_code == 403
    html = client.get(f"{url}change/").content.decode()
    assert 'name="name_en"' not in html  # shown, not editable
    # A body's page is where the sessions are kept: who may edit sessions saves the page,
    # its names still read-only.
    sessions = name == "body" and secretary.has_perm("recommendations.change_bodysession")
    response = client.post(f"{url}change/", {"name_en": "Renamed"})
    assert response.status_code == (200 if sessions else 403)
    model = Body if name == "body" else MemberState
    assert model.objects.get(pk=pk).name_en != "Renamed"
    assert client.get(f"{url}history/").status_code == 200


def test_a_deletion_in_use_is_refused_and_leaves_no_record(admin_client, seeds):
    theme = Theme.objects.get(code="drugs")
    response = admin_client.post(f"{ADMIN}/theme/{theme.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200  # the admin lists what protects it
    assert Theme.objects.filter(pk=theme.pk).exists()
    assert not theme.history.filter(history_type="-").exists()
