"""Log lines are JSON, carry the correlation id of the event in hand, and no personal data."""

from __future__ import annotations

import json
import logging

import pytest
from pydantic import BaseModel, ValidationError

from shared.contracts.values import VNumber
from shared.runtime.logs import bound_contextvars, configure_logging, get_logger
from shared.runtime.messaging import describe_error


def test_a_log_line_is_json_with_service_and_correlation_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("intake", level="INFO", json=True)
    try:
        with bound_contextvars(correlation_id="c0ffee", event_id="e1"):
            get_logger("test").info("case handled", records=3)
        get_logger("test").info("outside an event")
    finally:
        logging.getLogger().handlers.clear()
    first, second = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert first["event"] == "case handled"
    assert first["service"] == "intake"
    assert first["correlation_id"] == "c0ffee"
    assert first["records"] == 3
    assert "correlation_id" not in second


def test_error_descriptions_name_the_field_but_never_the_value() -> None:
    class Applicant(BaseModel):
        v_number: VNumber

    with pytest.raises(ValidationError) as caught:
        Applicant(v_number="12345-SECRET")
    described = describe_error(caught.value)
    assert "v_number" in described
    assert "string_pattern_mismatch" in described
    assert "12345-SECRET" not in described
    assert describe_error(RuntimeError("V-number 1234567890 broke")) == "RuntimeError"
