"""The demo data set keeps the regulation it demonstrates."""

import re
from collections import Counter

from server.communities.rules import MAX_UNITS, MIN_UNITS
from server.demo.dataset import COMMUNITIES, UNITS
from server.regions.provinces import PROVINCES, REGION_PROVINCES, province_of
from server.vocabulary import Level

CODE_FORMAT = {
    Level.PROVINCE: re.compile(r"^\d{2}0000$"),
    Level.PREFECTURE: re.compile(r"^\d{4}00$"),
    Level.COUNTY: re.compile(r"^\d{4}(?!00)\d{2}$"),
    Level.TOWNSHIP: re.compile(r"^\d{9}$"),
}


def test_units_have_unique_well_formed_codes_in_real_provinces():
    codes = [u.division_code for u in UNITS]
    assert len(codes) == len(set(codes))
    for unit in UNITS:
        assert CODE_FORMAT[unit.level].match(unit.division_code), unit
        assert province_of(unit.division_code) in PROVINCES, unit


def test_communities_follow_articles_9_to_14():
    units = {u.division_code: u for u in UNITS}
    placed = Counter()
    for community in COMMUNITIES:
        codes = [community.leader, *community.deputies, *community.members]
        placed.update(codes)
        assert MIN_UNITS <= len(codes) <= MAX_UNITS, community.slug
        assert community.themes, community.slug
        for code in codes:
            assert units[code].level == community.level, (community.slug, code)
            assert province_of(code) in REGION_PROVINCES[community.region], (community.slug, code)
    assert max(placed.values()) == 1  # no unit in two communities
    assert len(UNITS) > len(placed)  # some sites are not grouped yet
    assert len({c.region for c in COMMUNITIES}) >= 5
    assert {c.level for c in COMMUNITIES} == set(Level)


def test_four_communities_lapse_once_each_and_the_others_keep_every_rule():
    absent = [c for c in COMMUNITIES if c.absentee]
    short = [c for c in COMMUNITIES if c.short_of]
    late = [c for c in COMMUNITIES if c.misses_semi_annual]
    unreviewed = [c for c in COMMUNITIES if c.research_awaits_review]

    assert len(absent) == len(short) == len(late) == len(unreviewed) == 1
    assert len({c.slug for c in absent + short + late + unreviewed}) == 4
    assert len(COMMUNITIES) - 4 >= 4  # not every community red
    # Joint research is expected 365 days into the cycle: the lapse needs 13 months at least.
    assert all(c.months_in >= 13 for c in unreviewed)
    # The short year is last year: a cycle counts a year it covers 183 days of, so it must
    # have begun 18 months ago at least; no cycle (36 months) is in its last 90 days.
    assert all(c.months_in >= 18 for c in short)
    assert all(c.months_in <= 36 - 4 for c in COMMUNITIES)
