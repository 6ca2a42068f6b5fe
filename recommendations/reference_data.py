"""Reference data kept in the repository: member states, themes, bodies.

Loaded by migrations (with historical models), so `migrate` alone fills them in.
Loading is an upsert: running it again updates names and adds new rows. Theme keywords
are the exception: staff edit them in the admin, so a language's keywords are written
only to a theme that has none in that language yet (a new theme, or the new field).
"""

import csv
import json
from pathlib import Path

from recommendations.parsing.themes import clean_keywords

DATA_DIR = Path(__file__).resolve().parent / "data"


def member_state_rows() -> list[dict[str, str]]:
    with (DATA_DIR / "member_states.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def theme_rows() -> list[dict]:
    data = json.loads((DATA_DIR / "themes.json").read_text(encoding="utf-8"))
    return data["themes"]


def body_rows() -> list[dict[str, str]]:
    return json.loads((DATA_DIR / "bodies.json").read_text(encoding="utf-8"))


def load_reference_data(member_state_model, theme_model, body_model) -> None:
    for row in member_state_rows():
        member_state_model.objects.update_or_create(
            iso3=row["iso3"], defaults={"name_en": row["name_en"], "name_zh": row["name_zh"]}
        )
    load_themes(theme_model)
    load_bodies(body_model)


def load_bodies(body_model) -> None:
    for row in body_rows():
        body_model.objects.update_or_create(
            code=row["code"], defaults={"name_zh": row["name_zh"], "name_en": row["name_en"]}
        )


def load_themes(theme_model) -> None:
    """Upsert the themes of themes.json: names and position always, keywords only for
    the languages a theme has none in yet (so that staff edits survive). Works with the
    historical model of any migration, before Theme.keywords existed too."""
    has_keywords = any(f.name == "keywords" for f in theme_model._meta.get_fields())
    for position, row in enumerate(theme_rows(), start=1):
        theme, _ = theme_model.objects.update_or_create(
            code=row["code"],
            defaults={"name_zh": row["name_zh"], "name_en": row["name_en"], "position": position},
        )
        if not has_keywords:
            continue
        current = dict(theme.keywords or {})
        missing = {
            language: words
            for language, words in clean_keywords(row.get("keywords", {})).items()
            if not current.get(language)
        }
        if missing:
            theme.keywords = {**current, **missing}
            theme.save(update_fields=["keywords"])
