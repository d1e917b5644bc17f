"""What a supervisor may see of reviews and their statistics: the offices of their own city, or of every
city for the provincial level (440000). Asking for another city's office or city is refused (403) before
anything is read, so nothing leaks."""
from __future__ import annotations

from dataclasses import dataclass

from ..adapters.reference_store import catalogue
from ..domain.access import PROVINCIAL, supervises_city
from ..domain.actor import Actor, Role
from ..domain.errors import InvalidInput, OutOfScope


@dataclass(frozen=True)
class Scope:
    city: str | None  # None: the whole province
    office_id: str | None
    office_ids: tuple[str, ...]

    def review_partitions(self) -> list[tuple[str, str]]:
        """Index partitions to list, in order: one office, one city, or every city."""
        if self.office_id:
            return [("office_id", self.office_id)]
        if self.city:
            return [("city", self.city)]
        return [("city", c) for c in sorted(catalogue().cities)]


def resolve_scope(actor: Actor, city: str | None, office_id: str | None) -> Scope:
    if actor.role != Role.SUPERVISOR or not actor.city:
        raise OutOfScope("reviews and their statistics are for supervisors")
    cat = catalogue()
    if city is not None:
        if not (city.isdigit() and len(city) == 6):
            raise InvalidInput("city", "must be a 6-digit division code")
        if city == PROVINCIAL:
            if actor.city != PROVINCIAL:
                raise OutOfScope("only the provincial level sees the whole province")
            city = None
        elif not supervises_city(actor, city):
            raise OutOfScope(f"city {city} is outside your scope")
        elif city not in cat.cities:
            raise InvalidInput("city", f"unknown city {city}")
    elif actor.city != PROVINCIAL:
        city = actor.city
    if office_id is not None:
        office = cat.offices.get(office_id)
        if office is None:
            raise InvalidInput("office_id", f"unknown office {office_id!r}")
        if not supervises_city(actor, office.city):
            raise OutOfScope(f"office {office_id} is outside your scope")
        if city is not None and office.city != city:
            raise InvalidInput("office_id", f"{office_id} is not an office of city {city}")
        return Scope(office.city, office_id, (office_id,))
    offices = tuple(sorted(o.office_id for o in cat.offices.values() if city is None or o.city == city))
    return Scope(city, None, offices)
