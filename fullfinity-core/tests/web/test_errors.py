"""Every failure answers with one JSON shape: {"error": {"type", "message", "details"}}."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, Body

from fullfinity import hookimpl
from fullfinity.exceptions import ConfigurationError, UserError


class FailingRoutes:
    @hookimpl
    def fullfinity_register_routers(self) -> APIRouter:
        router = APIRouter()

        @router.get("/refuse")
        async def refuse() -> None:
            raise UserError("A closed order cannot be changed.", details=[{"path": "state", "message": "closed"}])

        @router.get("/misconfigured")
        async def misconfigured() -> None:
            raise ConfigurationError("secret: postgresql://admin:hunter2@db")

        @router.get("/crash")
        async def crash() -> None:
            raise RuntimeError("secret internals")

        @router.get("/items/{item_id}")
        async def item(item_id: int) -> dict[str, int]:
            return {"id": item_id}

        @router.post("/echo")
        async def echo(payload: dict[str, int] = Body(...)) -> dict[str, int]:
            return payload

        return router


@pytest.fixture
async def client(make_client, ff_tenant):
    client = await make_client(plugins=[FailingRoutes()])
    client.headers["X-Fullfinity-Tenant"] = ff_tenant.name
    return client


async def test_an_unknown_route_is_404_not_found(client):
    response = await client.get("/no/such/route")

    assert response.status_code == 404
    assert response.json() == {"error": {"type": "NotFound", "message": "No route GET /no/such/route.", "details": []}}


async def test_a_wrong_method_is_405_method_not_allowed(client):
    response = await client.delete("/refuse")

    assert response.status_code == 405
    assert response.json()["error"]["type"] == "MethodNotAllowed"
    assert response.json()["error"]["message"] == "Method DELETE is not allowed on /refuse."


async def test_a_fullfinity_error_keeps_its_status_type_and_details(client):
    response = await client.get("/refuse")

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "type": "UserError",
            "message": "A closed order cannot be changed.",
            "details": [{"path": "state", "message": "closed"}],
        }
    }


async def test_an_internal_fullfinity_error_is_masked_as_500(client):
    response = await client.get("/misconfigured")

    assert response.status_code == 500
    assert response.json()["error"]["type"] == "InternalError"
    assert "hunter2" not in response.text


async def test_an_unexpected_exception_is_500_without_leaking_its_message(client):
    response = await client.get("/crash")

    assert response.status_code == 500
    assert response.json()["error"]["type"] == "InternalError"
    assert "secret internals" not in response.text


async def test_a_bad_parameter_is_422_with_the_path_of_each_problem(client):
    response = await client.get("/items/abc")

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["type"] == "ValidationError" and error["details"][0]["path"] == "item_id"


async def test_a_body_that_is_not_json_is_400_bad_request(client):
    response = await client.post("/echo", content=b"{not json", headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert response.json()["error"] == {
        "type": "BadRequest",
        "message": "The request body is not valid JSON.",
        "details": [],
    }
