"""Rejections: input that was undecodable, schema-invalid or refused by a handler.

A rejection is itself a CloudEvent on the stream's rejection topic. It carries the
reason in plain words, a machine-readable code and the original record (bytes in
base64, headers as text), so the sender can correlate. A large value is copied only in
part (the first ORIGINAL_VALUE_LIMIT bytes), with its size and SHA-256 digest: a rejection
must stay small enough for the broker whatever the input was.
"""

from __future__ import annotations

import base64
from typing import Literal

from pydantic import BaseModel, Field

from shared.contracts.envelope import DecodeCode, EventData

RejectionCode = Literal[
    DecodeCode,
    "wrong-topic",
    "wrong-key",
    "wrong-stream",
    "not-permitted",
    "refused",
    "handler-error",
    "too-large",
]


ORIGINAL_VALUE_LIMIT = 64 * 1024  # bytes of the original value a rejection carries


class OriginalRecord(BaseModel):
    topic: str
    partition: int
    offset: int
    key: str | None = Field(description="the record key as text (undecodable bytes replaced)")
    headers: dict[str, str]
    value_base64: str = Field(
        description="the record value, byte for byte, in base64; only its first 65536 bytes "
        "when value_truncated"
    )
    # Added after v1 was released, hence optional: older rejections lack them.
    value_size: int | None = Field(
        default=None, description="the size of the whole record value in bytes"
    )
    value_sha256: str | None = Field(
        default=None, description="the SHA-256 digest of the whole record value, in hex"
    )
    value_truncated: bool = Field(
        default=False,
        description="true when value_base64 holds only the first part of the value",
    )

    def value(self) -> bytes:
        """The copied value: the whole value, or its first part when value_truncated."""
        return base64.b64decode(self.value_base64)


class Rejection(EventData):
    """Why an input record was not acted on. Sent to the stream's rejection topic."""

    event_type = "nl.ind.caseflow.input-rejected"

    code: RejectionCode
    reason: str = Field(description="plain-language reason, safe to show to the sender")
    refusal_kind: str | None = Field(
        default=None,
        description="for code 'refused': the rule that refused it, a stable machine-readable name "
        "(e.g. second_open_application)",
    )
    rejected_by: str = Field(description="the service that refused it")
    original: OriginalRecord


class Refused(Exception):
    """Raised by a handler for one event it will not act on (a business refusal)."""

    def __init__(
        self, reason: str, *, code: RejectionCode = "refused", kind: str | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.kind = kind
