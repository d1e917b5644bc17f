"""Routes of reviews (好差评), tickets and statistics. Registered on the app as a blueprint."""
from __future__ import annotations

from .http import ServiceBlueprint

bp = ServiceBlueprint(__name__)
