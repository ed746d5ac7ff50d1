"""The plugin manager: core plugins, modules' hooks.py, check_pending, await_me_maybe."""

from __future__ import annotations

import pluggy
import pytest
from typer.testing import CliRunner

from fullfinity import hookimpl
from fullfinity.cli import build_cli
from fullfinity.plugins import DEFAULT_PLUGINS, await_me_maybe, build_plugin_manager, hooks_markdown

HELLO_HOOKS = """
import typer

from fullfinity import hookimpl


@hookimpl
def fullfinity_register_commands(cli: typer.Typer) -> None:
    @cli.command("hello-widgets")
    def hello() -> None:
        print("hello from the widgets module")
"""


def test_core_features_are_registered_as_plugins():
    pm = build_plugin_manager(include_modules=False)

    assert {name for name, _ in pm.list_name_plugin()} >= set(DEFAULT_PLUGINS)


def test_a_modules_hooks_py_is_registered_automatically(module_site):
    module_site.add("widgets", hooks=HELLO_HOOKS)

    pm = build_plugin_manager()

    assert pm.get_plugin("module:widgets") is not None


def test_a_modules_hooks_py_can_add_a_cli_command(module_site):
    module_site.add("widgets", hooks=HELLO_HOOKS)

    result = CliRunner().invoke(build_cli(), ["hello-widgets"])

    assert result.exit_code == 0, result.output
    assert "hello from the widgets module" in result.output


def test_a_misspelled_hook_in_a_modules_hooks_py_fails_at_start_up(module_site):
    module_site.add(
        "typo",
        hooks="""
        from fullfinity import hookimpl

        @hookimpl
        def fullfinity_tenant_creatd(tenant):
            pass
        """,
    )

    with pytest.raises(pluggy.PluginValidationError, match="fullfinity_tenant_creatd"):
        build_plugin_manager()


def test_check_pending_rejects_an_unknown_hook_on_any_plugin():
    class Plugin:
        @hookimpl
        def fullfinity_register_router(self):  # missing "s"
            return None

    pm = build_plugin_manager(include_modules=False)
    pm.register(Plugin())

    with pytest.raises(pluggy.PluginValidationError, match="fullfinity_register_router"):
        pm.check_pending()


def test_a_hook_implementation_with_an_unknown_argument_is_rejected():
    class Plugin:
        @hookimpl
        def fullfinity_tenant_created(self, tenant, registry):
            return None

    pm = build_plugin_manager(include_modules=False)

    with pytest.raises(pluggy.PluginValidationError, match="registry"):
        pm.register(Plugin())


async def test_await_me_maybe_returns_plain_values():
    assert await await_me_maybe(42) == 42


async def test_await_me_maybe_awaits_coroutines():
    async def later() -> str:
        return "done"

    assert await await_me_maybe(later()) == "done"


def test_hooks_markdown_shows_each_hook_with_its_signature_and_docstring():
    text = hooks_markdown()

    assert "### `fullfinity_register_commands`" in text
    assert "fullfinity_register_commands(cli: typer.Typer) -> None" in text
    assert "Add sub-commands to the ``fullfinity`` command line." in text
