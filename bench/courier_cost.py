"""Courier cost per 10,000 cases (合包, issue 16): one parcel per case against consolidated daily parcels, at
the route table's prices (chalicelib/reference/routes.json, address_routes.json).

The mix: 10,000 cases over 20 working days (from Monday 2 March 2026, CST), spread evenly over the
(matter, receiving office) combinations of the seeded catalogue (each matter at every receiving office of
each city that accepts it, handled at the city's default handling office) and over the opening hours
(09:00–18:00 CST, so some cases miss the 16:00 cut-off and leave with the next collection). Results come
back by each matter's deliveries in equal shares: MAIL (one parcel each, to the applicant), PICKUP_RECEIVING
(in the pair's daily result parcel), PICKUP_HANDLING (no parcel). An electronic matter (电子流转) has no
materials parcel either way.

The parcels are counted with the domain's own rules (``collection_day``, ``parcel_id_for``), not a formula.
Pure computation: no emulator, no clock. The headline figure is the materials legs (office to office: what
consolidation is for); the figure for all legs (with the mailed results, which stay one parcel each) is
reported beside it.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from chalicelib.domain.parcels import collection_day, parcel_id_for
from chalicelib.domain.reference import Catalogue
from chalicelib.domain.shipping import LegKind
from chalicelib.domain.workdays import CST, is_working_day
from chalicelib.reference import load_files

CASES, WORKING_DAYS = 10_000, 20
FIRST_DAY = date(2026, 3, 2)
GOAL = 0.1


def working_days(first: date, n: int) -> list[date]:
    days: list[date] = []
    day = first
    while len(days) < n:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def combinations(cat: Catalogue) -> list[tuple[str, str, str]]:
    """(matter, receiving office, handling office) for every matter at every receiving office of each city
    that accepts it."""
    out = []
    for matter in cat.matters.values():
        handling = cat.cities[matter.handling_city].default_handling_office
        for city in matter.accepted_in:
            for office in cat.offices.values():
                if office.city == city and "receiving" in office.kinds:
                    out.append((matter.matter_id, office.office_id, handling))
    return sorted(out)


def measure(cases: int = CASES, days: int = WORKING_DAYS, seed: int = 16) -> dict[str, Any]:
    cat = Catalogue.from_rows(load_files())
    rnd = random.Random(seed)
    combos = combinations(cat)
    calendar = working_days(FIRST_DAY, days)
    single = {"materials": 0.0, "results": 0.0}
    consolidated_results_mail = 0.0
    parcels: dict[str, float] = {}  # parcel id → its route's price per parcel
    legs = {"materials": 0, "results": 0}
    for n in range(cases):
        matter_id, receiving, handling = combos[n % len(combos)]
        matter = cat.matters[matter_id]
        day = calendar[n * days // cases]
        at = datetime.combine(day, time(9), tzinfo=CST) + timedelta(minutes=rnd.randrange(9 * 60))
        if not matter.electronic:
            route = cat.route_between(receiving, handling)
            legs["materials"] += 1
            single["materials"] += route.cost_cny
            origin = cat.office(receiving)
            pid = parcel_id_for(LegKind.MATERIALS, receiving, handling, collection_day(origin, at))
            parcels[pid] = route.cost_cny
        delivery = matter.deliveries[n // len(combos) % len(matter.deliveries)]
        # The result leaves a few working days later; its day does not change the count of parcels per day.
        result_at = at + timedelta(days=3)
        if delivery == "MAIL":
            cost = cat.route_to_address(handling, cat.office(receiving).city).cost_cny
            legs["results"] += 1
            single["results"] += cost
            consolidated_results_mail += cost
        elif delivery == "PICKUP_RECEIVING":
            route = cat.route_between(handling, receiving)
            legs["results"] += 1
            single["results"] += route.cost_cny
            pid = parcel_id_for(LegKind.RESULT, handling, receiving, collection_day(cat.office(handling), result_at))
            parcels[pid] = route.cost_cny
    materials_parcels = {k: v for k, v in parcels.items() if k.startswith("M-")}
    consolidated_materials = sum(materials_parcels.values())
    consolidated_all = sum(parcels.values()) + consolidated_results_mail
    single_all = single["materials"] + single["results"]
    ratio = consolidated_materials / single["materials"] if single["materials"] else None
    scale = 10_000 / cases
    return {
        "cases": cases, "working_days": days, "combinations": len(combos),
        "pairs": len({(r, h) for _, r, h in combos if r != h}),
        "materials_legs": legs["materials"], "materials_parcels": len(materials_parcels),
        "result_legs": legs["results"], "result_parcels": len(parcels) - len(materials_parcels),
        "one_per_case_cny": round(single["materials"] * scale, 2),
        "consolidated_cny": round(consolidated_materials * scale, 2),
        "ratio": round(ratio, 4) if ratio is not None else None, "goal": GOAL,
        "met": ratio is not None and ratio <= GOAL,
        "all_legs_one_per_case_cny": round(single_all * scale, 2),
        "all_legs_consolidated_cny": round(consolidated_all * scale, 2),
        "all_legs_ratio": round(consolidated_all / single_all, 4) if single_all else None,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), indent=1))
