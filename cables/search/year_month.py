"""`YearMonth(field)`: a date-time column's UTC month as text, "2009-06", for GROUP BY.

Django's ExtractYear/ExtractMonth call a Python function per row on SQLite (3.2 s for the
49,000 mentions of the most-mentioned person at full size, against 0.8 s) and read each row
of the table where the date's own index would do (24.7 s against 0.6 s for every cable's
month). SQLite stores a date-time as UTC text ("2009-06-30 12:00:00"), whose first seven
characters are the month; PostgreSQL formats the UTC value. Both mean the same month.
"""

from django.db.models import CharField, Func


class YearMonth(Func):
    output_field = CharField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="SUBSTR(%(expressions)s, 1, 7)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM')",
            **extra,
        )


def year_and_month(text: str | None) -> tuple[int, int] | None:
    """(2009, 6) from "2009-06"; None for no date."""
    if not text:
        return None
    return int(text[:4]), int(text[5:7])
