import logging
from datetime import UTC, date, datetime

from chalicelib.domain import workdays
from chalicelib.domain.workdays import add_working_days, cst_date, end_of_cst_day, is_working_day


def test_national_day_holidays_and_make_up_saturday():
    assert not is_working_day(date(2026, 10, 1))
    assert not is_working_day(date(2026, 10, 7))
    assert is_working_day(date(2026, 10, 10))  # Saturday, 调休 make-up working day
    assert is_working_day(date(2026, 9, 20))  # Sunday, make-up working day


def test_adding_working_days_skips_holidays_and_counts_make_up_days():
    # Applied on 30 Sep (Wed): 1 working day later is 8 Oct (holiday 1–7 Oct)
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # From Fri 9 Oct, the next working day is the make-up Saturday 10 Oct
    assert add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)


def test_a_non_working_start_counts_from_the_next_working_day():
    # Saturday 21 Nov 2026 → counts from Monday 23 Nov; 3 working days → Thursday 26 Nov
    assert add_working_days(date(2026, 11, 21), 3) == date(2026, 11, 26)
    assert add_working_days(date(2026, 11, 23), 3) == date(2026, 11, 26)
    assert add_working_days(date(2026, 11, 21), 0) == date(2026, 11, 23)


def test_beyond_the_calendar_falls_back_to_weekends_with_one_warning(caplog):
    workdays._warned_years.discard(2031)
    with caplog.at_level(logging.WARNING):
        assert is_working_day(date(2031, 1, 1))  # a Wednesday; holidays unknown that year
        assert not is_working_day(date(2031, 1, 4))  # Saturday
        assert add_working_days(date(2031, 1, 3), 1) == date(2031, 1, 6)
    warnings = [r for r in caplog.records if "2031" in r.getMessage()]
    assert len(warnings) == 1


def test_rules_count_in_china_standard_time_dates():
    # 17:30 UTC on 23 Nov is 01:30 on 24 Nov in Shanghai
    assert cst_date(datetime(2026, 11, 23, 17, 30, tzinfo=UTC)) == date(2026, 11, 24)
    # a deadline day ends at midnight CST, i.e. 16:00 UTC the same day
    assert end_of_cst_day(date(2026, 11, 26)) == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)


def test_a_published_schedule_in_the_calendar_file_covers_a_year_the_package_does_not(monkeypatch):
    schedules = workdays.parse_schedules({"years": {"2031": {
        "holidays": ["2031-01-01", "2031-01-02"], "workdays": ["2031-01-04"]}}})
    monkeypatch.setattr(workdays, "published_schedules", lambda: schedules)
    workdays._warned_years.discard(2031)
    assert not is_working_day(date(2031, 1, 1))  # Wednesday, holiday
    assert is_working_day(date(2031, 1, 4))  # Saturday, make-up working day
    assert not is_working_day(date(2031, 1, 5))  # Sunday
    # Applied on the holiday 1 Jan: counts from Fri 3 Jan; 1 working day later is the make-up Saturday
    assert add_working_days(date(2031, 1, 1), 1) == date(2031, 1, 4)
    assert 2031 not in workdays._warned_years


def test_a_calendar_entry_outside_its_year_is_refused():
    import pytest

    with pytest.raises(ValueError, match="2030-12-31"):
        workdays.parse_schedules({"years": {"2031": {"holidays": ["2030-12-31"]}}})


def test_the_shipped_calendar_file_parses():
    assert isinstance(workdays.published_schedules(), dict)


def test_working_days_left_counts_working_days_to_and_past_a_deadline():
    from chalicelib.domain.workdays import working_days_left

    monday, friday, next_monday = date(2026, 3, 2), date(2026, 3, 6), date(2026, 3, 9)
    assert working_days_left(monday, monday) == 0
    assert working_days_left(monday, friday) == 4
    assert working_days_left(friday, next_monday) == 1  # the weekend does not count
    assert working_days_left(next_monday, friday) == -1
    assert working_days_left(date(2026, 3, 7), friday) == -1  # Saturday after a Friday deadline: late
