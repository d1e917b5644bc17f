"""Domain exceptions. Each names what went wrong in the domain's words; the API maps them to HTTP once."""
from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(DomainError):
    """Bad input: a field is missing, of the wrong type or fails validation. The message names the field."""

    code = "invalid_input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", field=field)
        self.field = field


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class OutOfScope(DomainError):
    """The caller's role, office or city does not cover this resource or action."""

    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class InvalidTransition(DomainError):
    """The action is not allowed from the case's (or ticket's) current state."""

    code = "invalid_state"

    def __init__(self, message: str, current_status: str) -> None:
        super().__init__(message, current_status=current_status)
        self.current_status = current_status


class ConcurrentUpdate(InvalidTransition):
    """Another writer changed the record first; the loser of a race gets this (409)."""

    code = "concurrent_update"


class Conflict(DomainError):
    """The thing already exists (a second review of one stage, a reused idempotency key...)."""

    code = "conflict"


class Duplicate(Conflict):
    """A write that happens once has happened already: a retry or a redelivered message, which the
    caller usually treats as done rather than as an error."""


class RuleViolation(DomainError):
    """A business rule forbids this, e.g. a missing core material (422)."""

    code = "rule_violated"

    def __init__(self, code: str, message: str, **details: object) -> None:
        super().__init__(message, **details)
        self.code = code


class ServiceUnavailable(DomainError):
    """An outside service this step needs (the licence library) did not answer: try again later (503)."""

    code = "service_unavailable"


class TooManyRequests(DomainError):
    code = "too_many_requests"
