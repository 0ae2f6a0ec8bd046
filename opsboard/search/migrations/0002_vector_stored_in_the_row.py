"""Keep each document's vector in its row (``STORAGE MAIN``) rather than in the TOAST
table: a search reads the vector of every match to rank it, and fetching 10,000 of them
from TOAST took longer than the rest of the query (docs/performance.md, issue 16). The
vector is rarely above a page; ``fields`` (the text shown, read only for the results
shown) stays out of the row. Existing vectors are written again so they move in."""

from django.db import migrations


def _alter(storage: str, rewrite: bool):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f"ALTER TABLE search_searchdocument ALTER COLUMN vector SET STORAGE {storage}"
        )
        if rewrite:
            # A new value of the same lexemes, stored as the column now says.
            schema_editor.execute(
                "UPDATE search_searchdocument SET vector = vector || ''::tsvector"
                " WHERE vector IS NOT NULL"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_documents")]

    operations = [migrations.RunPython(_alter("MAIN", True), _alter("EXTENDED", False))]
