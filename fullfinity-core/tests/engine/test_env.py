"""Environments: tenant_env for scripts, context, sudo, bindings, get_model."""

import pytest

import fullfinity
from fullfinity.engine.base import Char, Model, get_model
from fullfinity.engine.context import env_ctx
from fullfinity.exceptions import NotFound, TenantNotFound


class EnvThing(Model):
    name = Char()


MODELS = [EnvThing]


def test_get_model_without_an_environment_is_a_runtime_error():
    with pytest.raises(RuntimeError, match="No Fullfinity environment is active"):
        get_model("EnvThing")


async def test_get_model_returns_the_composed_class(ff_env):
    cls = get_model("EnvThing")
    assert cls.__name__ == "EnvThing" and cls._composed and issubclass(cls, EnvThing)
    with pytest.raises(NotFound, match=r"Unknown model 'EnvThng'.*Did you mean EnvThing"):
        get_model("EnvThng")


async def test_sudo_and_with_context_are_scoped(ff_env):
    assert ff_env.is_elevated  # no user: system work
    with ff_env.with_context(tz="Europe/Paris", lang="fr"):
        assert ff_env.tz == "Europe/Paris" and ff_env.lang == "fr"
    assert ff_env.tz == "UTC"
    assert env_ctx.get() is ff_env


async def test_tenant_env_commits_on_success_and_rolls_back_on_error(ff_runtime, ff_tenant):
    async with fullfinity.tenant_env(ff_tenant.name, runtime=ff_runtime) as env:
        assert env.tenant == ff_tenant.name and env.is_elevated
        await env.execute("CREATE TABLE env_probe (v int)")
    with pytest.raises(RuntimeError):
        async with fullfinity.tenant_env(ff_tenant.name, runtime=ff_runtime) as env:
            await env.execute("INSERT INTO env_probe VALUES (1)")
            raise RuntimeError("boom")
    async with fullfinity.tenant_env(ff_tenant.name, runtime=ff_runtime) as env:
        assert await env.fetchval("SELECT count(*) FROM env_probe") == 0
        assert "core" in env.registry.modules


async def test_tenant_env_on_a_missing_tenant_is_a_clear_error(ff_runtime):
    with pytest.raises(TenantNotFound, match="'nope' does not exist"):
        async with fullfinity.tenant_env("nope", runtime=ff_runtime):
            pass


async def test_env_user_is_none_without_a_user_model(ff_env):
    assert ff_env.user is None  # this registry has no User model
