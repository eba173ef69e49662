"""Requests counted per client and window for the rate limits (cables/lib/rate_limits.py), in the
database so that every worker process and every application server counts in one place."""

from django.db import models


class RateCount(models.Model):
    """The requests of one client to one group of views in one fixed window."""

    key = models.CharField(max_length=255, help_text="group, rate and client address")
    window_start = models.BigIntegerField(help_text="Unix time the window opened")
    expires = models.BigIntegerField(db_index=True, help_text="Unix time the window closes")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_count_window")
        ]

    def __str__(self):
        return f"{self.key} @ {self.window_start}: {self.count}"
