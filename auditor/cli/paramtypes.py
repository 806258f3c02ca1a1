"""The command line's own parameter types: a day in any form evidence accepts, and a list of output formats."""
from __future__ import annotations

import datetime as dt

import click

from ..errors import reason
from .i18n import current, msg


class _Date(click.ParamType):
    """A calendar day in any form evidence accepts: 2026-04-15, 2026/4/15, 令和8年4月15日, R8.4.15."""
    name = "date"

    def get_metavar(self, param, ctx=None):  # click 8.2 added ctx
        return "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        from ..evidence.normalize import parse_date  # only when a date is given: --help stays fast

        try:
            day = parse_date(value)
        except ValueError as exc:  # says why: no such day, outside the era, or which forms are read
            self.fail(msg("date_bad", value=value, error=reason(exc, current())), param, ctx)
        if day is None:
            self.fail(msg("date_empty"), param, ctx)
        return day


DATE = _Date()


class _Formats(click.ParamType):
    """One output format of `check`, or several: 'sarif,junit,json' (a list from the config file too)."""
    name = "formats"

    def get_metavar(self, param, ctx=None):
        return "FORMAT[,FORMAT...]"

    @property
    def choices(self) -> tuple:
        """The formats one may name, as click.Choice has them."""
        from ..reporters import CHECK_FORMATS

        return CHECK_FORMATS

    def convert(self, value, param, ctx):
        items = value if isinstance(value, (list, tuple)) else str(value).split(",")
        chosen = tuple(dict.fromkeys(str(v).strip() for v in items if str(v).strip()))
        unknown = [f for f in chosen if f not in self.choices]  # the names only: no reporter is imported
        if unknown or not chosen:
            self.fail(msg("formats_bad", given=", ".join(map(repr, unknown)) or msg("nothing"),
                          choices=", ".join(self.choices)), param, ctx)
        return chosen


FORMATS = _Formats()
