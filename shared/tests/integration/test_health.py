"""/health is ready only when the broker and the database answer; /metrics speaks Prometheus."""

from __future__ import annotations

import httpx
import pytest

from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.embedded import free_port
from shared.tools.testing import echo

pytestmark = pytest.mark.integration


async def get(runtime: ServiceRuntime, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=runtime.asgi_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        return await client.get(path)


async def test_health_is_ready_when_broker_and_database_answer(settings: Settings) -> None:
    runtime = ServiceRuntime(echo.definition, settings)
    await runtime.broker.connect()
    try:
        response = await get(runtime, "/health")
        metrics = await get(runtime, "/metrics")
    finally:
        await runtime.stop()
    assert response.status_code == 200
    assert response.json() == {
        "service": "echo",
        "status": "ready",
        "checks": {"database": True, "broker": True},
    }
    assert "caseflow_rejections_total" in metrics.text


async def test_health_is_unavailable_without_a_database(settings: Settings) -> None:
    nowhere = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none"
    runtime = ServiceRuntime(echo.definition, settings.model_copy(update={"database_url": nowhere}))
    await runtime.broker.connect()
    try:
        response = await get(runtime, "/health")
    finally:
        await runtime.stop()
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": False, "broker": True}


async def test_health_is_unavailable_without_a_broker(settings: Settings) -> None:
    nowhere = f"127.0.0.1:{free_port()}"
    runtime = ServiceRuntime(
        echo.definition, settings.model_copy(update={"kafka_bootstrap_servers": nowhere})
    )
    try:
        response = await get(runtime, "/health")
    finally:
        await runtime.engine.dispose()
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "broker": False}
