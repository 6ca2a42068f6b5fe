from io import StringIO
from pathlib import Path

import pytest

from recommendations.parsing import Taxonomy, decode_report, parse_report

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_2017 = SEEDS / "001_11a12d27b9d2d054.txt"  # Executive Director, activities in 2016
SEED_2004 = SEEDS / "002_2ed4e228b852b96c.txt"  # Secretary-General, conclusions and recs
SEED_2016_COP = SEEDS / "003_7ddf46dbc9508426.txt"  # Markdown, conclusions only
SEED_2019 = SEEDS / "004_a18fa2faa6a1f8c2.txt"  # Markdown-ish, four recommendations


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in an earlier test may have left
    another one active in the thread (LocaleMiddleware activates, nothing deactivates)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


def pytest_configure(config):
    # The SQLite test database is a file under var/ (see settings: DATABASES TEST NAME).
    (ROOT / "var").mkdir(exist_ok=True)


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


@pytest.fixture(scope="session")
def parse_seed(taxonomy):
    cache = {}

    def parse(path: Path):
        if path not in cache:
            cache[path] = parse_report(decode_report(path.read_bytes()), taxonomy=taxonomy)
        return cache[path]

    return parse


@pytest.fixture
def reference_data(transactional_db):
    """What `migrate` loads, loaded again: transactional tests start from flushed tables."""
    from django.apps import apps

    from recommendations.models import Body, MemberState, Theme
    from recommendations.reference_data import load_reference_data
    from recommendations.roles import sync_roles

    load_reference_data(MemberState, Theme, Body)
    sync_roles(apps)


# Shared test ground: the seeds imported, a secretariat officer, a liaison ----------------


@pytest.fixture
def seeds(db):
    """The seed reports, imported as `import_seeds` imports them."""
    from django.core.management import call_command

    call_command("import_seeds", stdout=StringIO())


@pytest.fixture
def staff(db, client):
    """A secretariat officer (staff, in the Secretariat role); the test client is logged in
    as them."""
    from recommendations import roles
    from tests.integration.shared import make_user

    user = make_user("officer", group=roles.SECRETARIAT)
    client.force_login(user)
    return user


@pytest.fixture
def staff_client(client, staff):
    """The test client, logged in as the secretariat officer."""
    return client


@pytest.fixture
def liaison(db):
    """The liaison of Kenya: an account with no permission, bound to KEN."""
    from tests.integration.shared import make_liaison

    return make_liaison("nairobi", "KEN")
