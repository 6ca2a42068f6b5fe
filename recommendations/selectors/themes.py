"""The theme taxonomy as staff keep it in the database (names, order, keywords)."""

from recommendations.models import Theme
from recommendations.parsing import Taxonomy


def taxonomy() -> Taxonomy:
    """The parser's Taxonomy built from the Theme rows, in their order: one query.

    The import reads it at the start of a run, so edits in the admin apply to the next
    import."""
    rows = Theme.objects.order_by("position", "code").values(
        "code", "name_zh", "name_en", "keywords"
    )
    return Taxonomy.from_data({"themes": list(rows)})
