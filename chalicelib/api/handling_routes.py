"""Routes of the handling office and the courier (forward, sign, return, decide, ship-result, pickup,
shipments, courier webhook). Registered on the app as a blueprint."""
from __future__ import annotations

from .http import ServiceBlueprint

bp = ServiceBlueprint(__name__)
