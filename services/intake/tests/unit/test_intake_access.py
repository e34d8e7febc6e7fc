"""Intake can read every topic it subscribes to under the ACL plan derived from the catalogue."""

from intake.app import definition
from shared.runtime.provision import acl_plan


def test_intake_may_read_every_topic_it_subscribes_to() -> None:
    plan = acl_plan()
    assert [t for t in definition.topics() if "User:caseflow-intake" not in plan[t]["read"]] == []
