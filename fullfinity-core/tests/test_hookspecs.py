"""Every hook is specified in hookspecs.py with documentation and type hints."""

from __future__ import annotations

import inspect

import pytest

from fullfinity import hookspecs
from fullfinity.plugins import build_plugin_manager


def _specs():
    pm = build_plugin_manager(include_modules=False)
    return [caller.spec for caller in vars(pm.hook).values() if getattr(caller, "spec", None) is not None]


def test_the_plugin_manager_knows_every_hook_of_hookspecs_py():
    declared = {name for name, obj in vars(hookspecs).items() if hasattr(obj, "fullfinity_spec")}

    assert declared and {spec.name for spec in _specs()} == declared


@pytest.mark.parametrize("spec", _specs(), ids=lambda spec: spec.name)
def test_every_hook_has_a_docstring(spec):
    doc = inspect.cleandoc(spec.function.__doc__ or "")

    assert len(doc.split()) >= 15, f"{spec.name} needs a docstring: when it is called, what it gets and returns"


@pytest.mark.parametrize("spec", _specs(), ids=lambda spec: spec.name)
def test_every_hook_is_fully_typed(spec):
    sig = inspect.signature(spec.function)

    untyped = [p.name for p in sig.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert not untyped, f"{spec.name}: parameters without a type hint: {untyped}"
    assert sig.return_annotation is not inspect.Signature.empty, f"{spec.name} has no return type"


@pytest.mark.parametrize("spec", _specs(), ids=lambda spec: spec.name)
def test_every_hook_is_named_in_the_fullfinity_namespace(spec):
    assert spec.name.startswith("fullfinity_")


@pytest.mark.parametrize("spec", _specs(), ids=lambda spec: spec.name)
def test_firstresult_hooks_say_so_in_their_docstring(spec):
    if spec.opts.get("firstresult"):
        assert "firstresult" in (spec.function.__doc__ or "")
