"""Who acts: a person with a token (citizen, window or handling staff, supervisor, admin) or the system
(queue consumers, the courier, the sweeper)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"  # of one office: office_id
    SUPERVISOR = "supervisor"  # of one city, or of the province (440000): city
    ADMIN = "admin"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    sub: str
    role: Role
    office_id: str | None = None
    city: str | None = None
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))  # a token's claim arrives as a plain string

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(sub=f"system:{name}", role=Role.SYSTEM, name=name)
