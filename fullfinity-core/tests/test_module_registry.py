"""Module discovery through the ``fullfinity.modules`` entry points, manifests and load order."""

from __future__ import annotations

import pytest

from fullfinity.engine.module_registry import (
    ModuleInfo,
    discover_modules,
    load_manifest,
    resolve_order,
    unavailable_modules,
)
from fullfinity.exceptions import DependencyError, ManifestError


def test_core_is_discovered_through_its_entry_point_with_the_distribution_version():
    from importlib.metadata import version

    core = discover_modules()["core"]

    assert core.package == "fullfinity.modules.core"
    assert core.distribution == "fullfinity-core"
    assert core.version == version("fullfinity-core")
    assert core.dependencies == []


def test_an_installed_distribution_is_discovered_with_its_version(module_site):
    module_site.add("widgets", version="2.3.4")

    info = discover_modules()["widgets"]

    assert info.version == "2.3.4"
    assert info.name == "Widgets"
    assert info.manifest_file.name == "manifest.yaml"


def test_every_module_depends_on_core_implicitly(module_site):
    module_site.add("widgets")

    assert discover_modules()["widgets"].dependencies == ["core"]


def test_modules_are_ordered_after_their_dependencies(module_site):
    module_site.add("zeta_base")
    module_site.add("alpha_sales", dependencies=["zeta_base"])
    module_site.add("beta_glue", dependencies=["alpha_sales", "zeta_base"])

    order = resolve_order()

    assert order.index("core") < order.index("zeta_base") < order.index("alpha_sales") < order.index("beta_glue")


def test_independent_modules_are_ordered_by_identifier(module_site):
    module_site.add("mmm")
    module_site.add("aaa")
    module_site.add("zzz")

    assert resolve_order(["zzz", "mmm", "aaa"]) == ["core", "aaa", "mmm", "zzz"]


def test_resolving_one_module_brings_only_its_dependencies(module_site):
    module_site.add("base_x")
    module_site.add("top_x", dependencies=["base_x"])
    module_site.add("unrelated_x")

    assert resolve_order(["top_x"]) == ["core", "base_x", "top_x"]


def test_every_missing_dependency_is_named_in_one_error(module_site):
    module_site.add("needs_two", dependencies=["ghost_one", "ghost_two"])
    module_site.add("needs_one", dependencies=["ghost_three"])

    with pytest.raises(DependencyError) as caught:
        resolve_order()

    message = str(caught.value)
    assert "missing module 'ghost_one' (needed by needs_two)" in message
    assert "missing module 'ghost_two' (needed by needs_two)" in message
    assert "missing module 'ghost_three' (needed by needs_one)" in message
    assert {d["path"] for d in caught.value.details} == {"ghost_one", "ghost_two", "ghost_three"}


def test_a_dependency_cycle_is_named_in_full(module_site):
    module_site.add("cyc_a", dependencies=["cyc_b"])
    module_site.add("cyc_b", dependencies=["cyc_c"])
    module_site.add("cyc_c", dependencies=["cyc_a"])

    with pytest.raises(DependencyError, match="dependency cycle cyc_a -> cyc_b -> cyc_c -> cyc_a"):
        resolve_order()


def test_missing_modules_and_cycles_are_reported_together(module_site):
    module_site.add("loop_a", dependencies=["loop_b"])
    module_site.add("loop_b", dependencies=["loop_a"])
    module_site.add("lonely", dependencies=["nowhere"])

    with pytest.raises(DependencyError) as caught:
        resolve_order()

    assert "missing module 'nowhere'" in str(caught.value)
    assert "loop_a -> loop_b -> loop_a" in str(caught.value)


def test_a_module_depending_on_itself_is_a_cycle(module_site):
    module_site.add("selfish", dependencies=["selfish"])

    with pytest.raises(DependencyError, match="selfish -> selfish"):
        resolve_order()


def test_requesting_an_unavailable_module_names_it():
    with pytest.raises(DependencyError, match="missing module 'no_such_module' \\(requested\\)"):
        resolve_order(["no_such_module"])


def test_a_large_acyclic_graph_resolves_quickly():
    # 60 layers of two modules, each depending on both of the layer below: 2**60 paths.
    available: dict[str, ModuleInfo] = {}
    core = discover_modules()["core"]
    available["core"] = core
    below: list[str] = []
    for layer in range(60):
        for side in ("a", "b"):
            ident = f"m{layer:02d}{side}"
            manifest = core.manifest.model_copy(update={"identifier": ident, "dependencies": list(below)})
            available[ident] = ModuleInfo(ident, ident, ident, "1", core.path, manifest, core.manifest_file)
        below = [f"m{layer:02d}a", f"m{layer:02d}b"]

    order = resolve_order(available=available)

    assert order[:3] == ["core", "m00a", "m00b"] and order[-1] == "m59b"


def test_a_manifest_missing_a_required_key_names_the_file_and_the_key(module_site):
    pkg = module_site.add("nodeps", manifest={"name": "No deps", "identifier": "nodeps"})

    with pytest.raises(ManifestError) as caught:
        discover_modules()

    assert str(pkg / "manifest.yaml") in caught.value.message
    assert "key 'dependencies' is required" in caught.value.message


def test_a_bad_identifier_is_rejected_with_the_rule(tmp_path):
    path = tmp_path / "manifest.yaml"
    path.write_text("name: Bad\nidentifier: Bad-Name\ndependencies: []\n")

    with pytest.raises(ManifestError) as caught:
        load_manifest(path)

    assert str(path) in caught.value.message
    assert "key 'identifier' must be snake_case" in caught.value.message
    assert "'Bad-Name'" in caught.value.message


def test_a_value_of_the_wrong_type_names_the_key(tmp_path):
    path = tmp_path / "manifest.yaml"
    path.write_text("name: Typed\nidentifier: typed\ndependencies: core\n")

    with pytest.raises(ManifestError) as caught:
        load_manifest(path)

    assert caught.value.details == [{"path": "dependencies", "message": "Input should be a valid list"}]


def test_every_manifest_problem_is_reported_at_once(tmp_path):
    path = tmp_path / "manifest.yaml"
    path.write_text("identifier: 9lives\nedition: gold\n")

    with pytest.raises(ManifestError) as caught:
        load_manifest(path)

    assert {d["path"] for d in caught.value.details} == {"name", "identifier", "dependencies", "edition"}


def test_a_manifest_that_is_not_a_mapping_is_rejected(module_site):
    pkg = module_site.add("listy", manifest_text="- name\n- identifier\n")

    with pytest.raises(ManifestError, match="must be a mapping") as caught:
        discover_modules()

    assert str(pkg / "manifest.yaml") in caught.value.message


def test_a_manifest_that_is_not_valid_yaml_is_rejected_naming_the_file(tmp_path):
    path = tmp_path / "manifest.yaml"
    path.write_text("name: [unclosed\n")

    with pytest.raises(ManifestError, match=f"Cannot read manifest {path}"):
        load_manifest(path)


def test_a_module_without_manifest_is_rejected_naming_its_package(module_site):
    pkg = module_site.add("bare", with_manifest=False)

    with pytest.raises(ManifestError, match=r"has no manifest\.yaml") as caught:
        discover_modules()

    assert str(pkg) in caught.value.message


def test_the_identifier_must_equal_the_entry_point_name(module_site):
    module_site.add("real_name", entry_point="other_name")

    with pytest.raises(ManifestError) as caught:
        discover_modules()

    message = caught.value.message
    assert "key 'identifier' is 'real_name'" in message and "names the module 'other_name'" in message


def test_two_distributions_claiming_one_identifier_are_both_named(module_site):
    module_site.add("twin", distribution="fullfinity-twin-one")
    module_site.add("twin", distribution="fullfinity-twin-two")

    with pytest.raises(ManifestError, match="claimed by two distributions") as caught:
        discover_modules()

    assert "fullfinity-twin-one" in caught.value.message and "fullfinity-twin-two" in caught.value.message


def test_an_entry_point_to_a_missing_package_is_a_clear_error(module_site):
    dist_info = module_site.root / "fullfinity_ghost-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: fullfinity-ghost\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text("[fullfinity.modules]\nghost = ffmod_not_there\n")

    with pytest.raises(ManifestError, match="'ffmod_not_there', which is not an importable package"):
        discover_modules()


def test_ignored_and_unknown_manifest_keys_give_warnings_not_errors(tmp_path):
    path = tmp_path / "manifest.yaml"
    path.write_text("name: W\nidentifier: w\ndependencies: []\nversion: '9'\ncolor: red\nflavour: mint\n")

    manifest, warnings = load_manifest(path)

    assert manifest.identifier == "w"
    assert any("'version' is ignored" in w for w in warnings)
    assert any("unknown key 'flavour'" in w for w in warnings)
    assert not any("color" in w for w in warnings)


def test_manifest_json_is_accepted_as_a_fallback(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text('{"name": "J", "identifier": "j", "dependencies": []}')

    manifest, _ = load_manifest(path)

    assert manifest.name == "J"


def test_a_glue_module_whose_dependency_is_not_installed_is_unavailable_not_an_error(module_site):
    module_site.add("shop_base")
    module_site.add("shop_ledger", manifest={"name": "Glue", "identifier": "shop_ledger", "implicit": True,
                                             "dependencies": ["shop_base", "ledger_not_installed"]})  # fmt: skip
    module_site.add("shop_ledger_more", manifest={"name": "Glue 2", "identifier": "shop_ledger_more",
                                                  "implicit": True, "dependencies": ["shop_ledger"]})  # fmt: skip

    order = resolve_order()

    assert "shop_base" in order and "shop_ledger" not in order and "shop_ledger_more" not in order
    aside = unavailable_modules()
    assert aside["shop_ledger"].missing == ("ledger_not_installed",)
    assert aside["shop_ledger"].reason == "needs ledger_not_installed (not pip-installed)"
    assert aside["shop_ledger_more"].missing == ("shop_ledger",)


def test_asking_for_an_unavailable_glue_module_says_what_it_needs(module_site):
    module_site.add("shop_ledger", manifest={"name": "Glue", "identifier": "shop_ledger", "implicit": True,
                                             "dependencies": ["ledger_not_installed"]})  # fmt: skip

    with pytest.raises(DependencyError) as caught:
        resolve_order(["shop_ledger"])

    assert "unavailable: it needs ledger_not_installed (not pip-installed)" in str(caught.value)


def test_a_regular_module_with_a_missing_dependency_stays_an_error(module_site):
    module_site.add("needs_ghost", dependencies=["ghost_module"])

    with pytest.raises(DependencyError, match="missing module 'ghost_module' \\(needed by needs_ghost\\)"):
        resolve_order()
