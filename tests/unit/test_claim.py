"""认领 in the domain: who may claim a case, and what a claim changes."""
from __future__ import annotations

import pytest

from chalicelib.domain.access import can_read_case, is_applicant
from chalicelib.domain.case import WALK_IN_PREFIX, Actor
from chalicelib.domain.errors import OutOfScope
from chalicelib.domain.lifecycle import Action, Party, Status
from tests.unit.test_lifecycle import NOW, make_case

BOB = Actor("bob", "citizen")
ID = "11010519491231002X"


def walk_in(status: Status = Status.RECEIVED):
    case = make_case(status)
    case.applicant.sub = WALK_IN_PREFIX + "abc"
    return case


@pytest.mark.parametrize("status", list(Status))
def test_a_walk_in_case_is_claimed_in_any_state_and_then_bob_is_the_applicant(status):
    case = walk_in(status)
    assert not can_read_case(BOB, case) and Party.APPLICANT not in case.parties(BOB)
    assert case.claimable_by(BOB, "123456", ID.lower())
    change = case.claim(BOB, NOW)
    assert change is not None and change.action is Action.CLAIM
    assert change.from_status is change.to_status is status and case.status is status
    assert is_applicant(BOB, case) and can_read_case(BOB, case) and Party.APPLICANT in case.parties(BOB)
    assert case.claimable_by(BOB, "123456", ID) and case.claim(BOB, NOW) is None  # again: nothing changes


def test_mismatches_and_other_peoples_cases_are_not_claimable():
    case = walk_in()
    assert not case.claimable_by(BOB, "654321", ID)
    assert not case.claimable_by(BOB, "123456", "110105194912310021")
    assert not case.claimable_by(BOB, "123456", "１１０")  # not ASCII: compared as bytes, never an error
    assert not case.claimable_by(Actor("s", "staff", office_id="SZ-GOV"), "123456", ID)
    case.claim(BOB, NOW)
    assert not case.claimable_by(Actor("carol", "citizen"), "123456", ID)  # bob's now
    online = make_case(Status.SUBMITTED)  # applied online by alice
    assert not online.claimable_by(BOB, "123456", ID)
    with pytest.raises(OutOfScope):
        online.claim(BOB, NOW)
    assert online.applicant.sub == "alice"
