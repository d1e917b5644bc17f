from chalicelib.observability import logger


def test_the_production_logger_masks_what_a_careless_caller_logs(no_personal_data_in_logs):
    before = len(no_personal_data_in_logs.lines)
    logger.info("applicant 11010519491231002X called from 13800138000", extra={"phone": "13912345678"})
    line = "".join(no_personal_data_in_logs.lines[before:])
    assert "1101**********002X" in line and "138****8000" in line and "139****5678" in line
    assert "11010519491231002X" not in line and "13912345678" not in line
