"""Intake's own commands, beside `serve` and `migrate`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from intake.domain import CountryPolicy, load_policy
from shared.contracts.envelope import Envelope, encode, new_event
from shared.contracts.events.intake import CountryPolicyPublished
from shared.contracts.topics import POLICY_INPUT, TopicNames
from shared.runtime.broker import publish_records
from shared.runtime.clock import WallClock
from shared.runtime.settings import Settings


def policy_event(policy: CountryPolicy, actor: str) -> Envelope[CountryPolicyPublished]:
    """The CountryPolicyPublished a policy officer's front-end would send for this policy."""
    data = CountryPolicyPublished(
        policy_version=policy.policy_version,
        effective_from=policy.effective_from,
        rules=policy.rules,
        default_category=policy.default_category,
        former_safe_countries=tuple(sorted(policy.former_safe_countries)),
    )
    return new_event(
        data,
        subject=policy.policy_version,
        stream=None,
        source="/caseflow/intake/cli",
        actor=actor,
        time=WallClock().now(),
    )


async def publish_policy_file(settings: Settings, path: Path, actor: str) -> str:
    event = policy_event(load_policy(path), actor)
    await publish_records(
        settings, [encode(event, TopicNames(settings.topic_prefix)(POLICY_INPUT))]
    )
    return event.data.policy_version


def publish_policy(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Country-policy TOML file")
    ],
    actor: Annotated[
        str,
        typer.Option(
            help="Who publishes it, for the audit trail: policy-officer:<your pseudonymous id>"
        ),
    ],
) -> None:
    """Publish a country-policy file on the policy input topic, as a policy officer would.

    Intake checks it, adopts it from its effective date and re-categorises open, unheard
    cases; its answer (CountryPolicyAdopted, or a rejection) says how that went."""
    version = asyncio.run(publish_policy_file(Settings(), path, actor))
    typer.echo(f"published country policy {version} on {POLICY_INPUT}")
