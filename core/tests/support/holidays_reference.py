"""Prints, as JSON, the public holidays that the Python `holidays` package (pinned in
scripts/requirements-test.txt) gives for each Relance calendar and year: the reference that
core/tests/holidays_crosscheck.rs compares the rule-based calendars with.

Usage: holidays_reference.py FIRST_YEAR LAST_YEAR
"""
import json
import sys

import holidays

# Relance calendar id -> (country, subdivision, first year the package covers).
CALENDARS = {
    "fr": ("FR", None, 1803),
    "fr-alsace-moselle": ("FR", "57", 1803),
    "de": ("DE", None, 1991),
    "gb-england-wales": ("GB", "ENG", 1872),
    "be": ("BE", None, 1900),
    "es": ("ES", None, 2008),
    "it": ("IT", None, 1870),
    "nl": ("NL", None, 1966),
}


def main():
    first, last = int(sys.argv[1]), int(sys.argv[2])
    out = {"version": holidays.__version__, "calendars": {}}
    for cal, (country, subdiv, since) in CALENDARS.items():
        years = {}
        for year in range(max(first, since), last + 1):
            days = holidays.country_holidays(country, subdiv=subdiv, years=year)
            years[str(year)] = sorted(str(d) for d in days)
        out["calendars"][cal] = years
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
