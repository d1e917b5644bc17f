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


def test_non_resident_documents_show_at_most_their_last_four_characters():
    # A passport's first characters are no region code: E123*5678 showed 8 of its 9 characters.
    assert mask_id_number("E12345678", "PASSPORT") == "*****5678"
    assert mask_id_number("C12345678", "HK_MACAO_PERMIT") == "*****5678"
    assert mask_id_number("87654321", "TAIWAN_PERMIT") == "********"
    assert mask_id_number("ABC123456789012", "FOREIGN_PERMANENT_RESIDENT_ID") == "***********9012"
    assert mask_id_number("11010519491231002X", "RESIDENT_ID") == "1101**********002X"


@pytest.mark.parametrize("text, gone, shown", [
    ("call +86 138-0013-8000 now", "0013-8000", "+86 138****8000"),
    ("tel +8613800138000", "13800138000", "+86138****8000"),
    ("tel 0086 138 0013 8000", "0013 8000", "0086 138****8000"),
    ("tel 138-0013-8000.", "0013-8000", "138****8000."),
    ("tel 138 0013 8000", "0013 8000", "138****8000"),
    ("old id 110105491231002 here", "110105491231002", "1101*******1002"),
    ("passport E12345678, visa", "E12345678", "*****5678,"),
    ("passport EA1234567", "EA1234567", "*****4567"),
    ("permit C12345678", "C12345678", "*****5678"),
])
def test_scrub_catches_written_mobiles_old_ids_and_passports(text, gone, shown):
    out = scrub(text)
    assert gone not in out and shown in out, out


def test_scrub_leaves_case_numbers_waybills_and_timestamps():
    text = "case KC4403002026112300017 waybill EMS123456789012 at 1733000000000 leg KC4403002026112300017-M1"
    assert scrub(text) == text


@pytest.mark.parametrize("value", ["１１０１０５１９４９１２３１００２X", "11010519491231002\n", "٠١٠١٠٥١٩٤٩١٢٣١٠٠٢X"])
def test_resident_ids_are_ascii_digits_only(value):
    assert resident_id_problem(value) is not None


@pytest.mark.parametrize("value", ["１３８００１３８０００", "13800138000\n", "1３800138000", "¹3800138000"])
def test_mobiles_are_ascii_digits_only(value):
    assert not is_mobile(value)
