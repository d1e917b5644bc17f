import pytest

from chalicelib.domain.identity import (
    is_mobile,
    mask_id_number,
    mask_phone,
    resident_id_problem,
    scrub,
    with_check_digit,
)


def test_check_digit_of_a_known_number():
    # GB 11643 worked example: 11010519491231002 → check digit X
    assert with_check_digit("11010519491231002") == "11010519491231002X"
    assert resident_id_problem("11010519491231002X") is None
    assert resident_id_problem("11010519491231002x") is None  # lower-case x is the same number


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("11010519491231002", "must be 18 characters"),
        ("110105194912310021", "check digit does not match (GB 11643)"),
        ("11010519491331002X", "has an impossible date of birth"),
        ("1101051949123100AX", "must be 17 digits followed by a digit or X"),
        ("", "must be 18 characters"),
    ],
)
def test_invalid_resident_ids_say_why(value, problem):
    assert resident_id_problem(value) == problem


@pytest.mark.parametrize(("value", "ok"), [("13800138000", True), ("19912345678", True), ("12800138000", False),
                                          ("1380013800", False), ("138001380000", False), ("1380013800a", False)])
def test_mainland_mobile(value, ok):
    assert is_mobile(value) is ok


def test_masks_keep_only_what_staff_need_to_recognise():
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_phone("13800138000") == "138****8000"


def test_scrub_masks_every_identity_and_phone_number_in_free_text():
    line = '{"id":"11010519491231002X","tel":"13800138000","case":"KC4403002026112300017"}'
    out = scrub(line)
    assert "11010519491231002X" not in out and "13800138000" not in out
    assert "1101**********002X" in out and "138****8000" in out
    assert "KC4403002026112300017" in out  # case numbers are not personal data
