"""The arch of a view: node vocabulary per view type, walking, and structural validation.

``check_view(view, registry)`` returns every problem of a primary view's arch (views.md 3-7);
``check_nodes`` checks loose nodes (the ``value`` of an extension's operations). Validation is
structural: fields exist on the model, node types and keys are known, widgets fit the field,
modifiers are valid Q strings over allowed paths, buttons call exposed methods, Kanban columns
group by a groupable field, search filters parse.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fullfinity.engine.Q import Leaf, Q
from fullfinity.exceptions import FullfinityError
from fullfinity.views.widgets import field_kind, fitting_widgets, widget_fits

if TYPE_CHECKING:
    from fullfinity.engine.models import Model
    from fullfinity.engine.records.registry import Registry
    from fullfinity.views.records import ViewDef

__all__ = [
    "MODIFIERS",
    "NODE_TYPES",
    "ROOT_KEYS",
    "VIEW_TYPES",
    "Checker",
    "check_nodes",
    "check_view",
    "is_x2many",
    "q_leaves",
    "walk",
]

VIEW_TYPES = ("Form", "List", "Kanban", "Calendar", "Search")

NODE_TYPES: dict[str, frozenset[str]] = {
    "Form": frozenset(
        {
            "field",
            "row",
            "pageTabs",
            "tab",
            "accordion",
            "fieldset",
            "paper",
            "actionButton",
            "statusbar",
            "linkButton",
            "settingsPanel",
            "settingsRow",
            "settingsLink",
            "settingsDivider",
            "text",
            "divider",
        }
    ),
    "List": frozenset({"field", "actionButton"}),
    "Kanban": frozenset({"field", "row", "paper", "actionButton", "text", "divider"}),
    "Calendar": frozenset({"field"}),
    "Search": frozenset({"field", "filter", "groupBy", "divider"}),
}
ROOT_KEYS: dict[str, frozenset[str]] = {
    "Form": frozenset({"content"}),
    "List": frozenset({"content", "editable", "buttons", "decorations"}),
    "Kanban": frozenset(
        {
            "content",
            "drag_fields",
            "aggregates",
            "quick_create",
            "fold_field",
            "column_filter",
            "color_field",
            "colors",
        }
    ),
    "Calendar": frozenset({"content", "default_mode"}),
    "Search": frozenset({"content"}),
}
COMMON_ROOT_KEYS = frozenset({"data_method", "data_method_supports"})
NODE_KEYS = frozenset({"type", "name", "title", "span", "anchor", "display_mode", "properties", "content"})
CONTAINERS = frozenset({"row", "pageTabs", "tab", "accordion", "fieldset", "paper", "settingsPanel", "settingsRow"})
MODIFIERS = ("visible", "readonly", "required")
#: Row styles of a List's ``decorations`` root key: style -> Q string over the row (decision).
DECORATIONS = ("danger", "warning", "success", "muted", "bf")
AGGREGATES = ("sum", "avg", "min", "max", "count")
NUMERIC = frozenset({"Integer", "Float", "Monetary", "Numeric"})
DRAGGABLE = frozenset({"Selection", "ManyToOne", "Char", "Boolean", "Integer"})
CALENDAR_MODES = {"start": ("Date", "Datetime"), "stop": ("Date", "Datetime"), "all_day": ("Boolean",)}
CALENDAR_ROLES = ("start", "stop", "all_day", "title", "color")
GRANULARITIES = ("day", "week", "month", "quarter", "year")


def is_x2many(f: Any) -> bool:
    return bool(getattr(f, "relational", False) and getattr(f, "many", False))


def walk(nodes: Any, path: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Every node dict of a node list, depth first in document order, with its dotted path."""
    if not isinstance(nodes, list):
        return
    for index, node in enumerate(nodes):
        if isinstance(node, dict):
            here = f"{path}.{index}"
            yield node, here
            yield from walk(node.get("content"), f"{here}.content")


@dataclass
class Checker:
    """Collects problems while checking one record; ``actions``/``groups`` are the known identifiers
    (``None``: not checked)."""

    registry: Registry
    view_type: str
    actions: frozenset[str] | None = None
    groups: frozenset[str] | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    # -- nodes ----------------------------------------------------------------------------------
    def nodes(self, nodes: Any, model: type[Model], path: str, *, columns: bool = False) -> None:
        if not isinstance(nodes, list):
            self.add(path, f"must be a list of nodes, got {type(nodes).__name__}")
            return
        for index, node in enumerate(nodes):
            self.node(node, model, f"{path}.{index}", column=columns)

    def node(self, node: Any, model: type[Model], path: str, *, column: bool = False) -> None:
        if not isinstance(node, dict):
            self.add(path, f"a node must be an object with a 'type', got {node!r:.60}")
            return
        kind = node.get("type")
        allowed = NODE_TYPES.get(self.view_type)
        if not isinstance(kind, str):
            self.add(path, "node has no 'type'")
            return
        if column and kind != "field":
            self.add(path, f"an embedded list holds only field nodes, got '{kind}'")
            return
        if allowed is not None and kind not in allowed:
            self.add(
                path, f"unknown node type '{kind}' in a {self.view_type} view; known: {', '.join(sorted(allowed))}"
            )
            return
        for key in sorted(set(node) - NODE_KEYS):
            self.add(f"{path}.{key}", f"unknown node key '{key}'; node keys are {', '.join(sorted(NODE_KEYS))}")
        props = node.get("properties", {})
        if not isinstance(props, dict):
            self.add(f"{path}.properties", "must be an object")
            props = {}
        self._common(node, props, model, path)
        handler = getattr(self, f"_node_{kind}", None)
        if handler is not None:
            handler(node, props, model, path)
        elif "content" in node:
            if kind in CONTAINERS:
                self.nodes(node["content"], model, f"{path}.content")
            else:
                self.add(f"{path}.content", f"a '{kind}' node has no content")

    def _common(self, node: dict[str, Any], props: dict[str, Any], model: type[Model], path: str) -> None:
        span = node.get("span")
        if span is not None and not _span_ok(span):
            self.add(f"{path}.span", f"must be 1-12 or a mapping of breakpoints to 1-12, got {span!r}")
        groups = props.get("groups")
        if groups is not None:
            if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
                self.add(f"{path}.properties.groups", "must be a list of group identifiers")
            elif self.groups is not None:
                for g in groups:
                    if g not in self.groups:
                        self.add(f"{path}.properties.groups", f"unknown group '{g}'")
        for key in MODIFIERS:
            if key in props:
                self.modifier(props[key], model, f"{path}.properties.{key}")

    # -- Q strings ------------------------------------------------------------------------------
    def q_string(self, text: Any, model: type[Model] | None, path: str) -> Q | None:
        """Parse ``text``; with ``model``, check every path resolves on it."""
        if not isinstance(text, str):
            self.add(path, f"must be a Q string, got {type(text).__name__}")
            return None
        try:
            q = Q.parse(text)
        except FullfinityError as exc:
            self.add(path, f"is not a valid Q string: {exc.message}")
            return None
        if model is not None:
            from fullfinity.engine.query import resolve_path

            for leaf in q_leaves(q):
                try:
                    resolve_path(model, leaf.key)
                except FullfinityError as exc:
                    self.add(path, exc.message)
        return q

    def modifier(self, value: Any, model: type[Model], path: str) -> None:
        """A modifier is a bool or a Q string over fields of ``model`` (views.md 5.1)."""
        if isinstance(value, bool):
            return
        q = self.q_string(value, None, path)
        if q is None:
            return
        for leaf in q_leaves(q):
            message = _modifier_path_problem(model, leaf)
            if message:
                self.add(path, message)

    # -- node types -----------------------------------------------------------------------------
    def _field(self, node: dict[str, Any], model: type[Model], path: str) -> Any:
        name = node.get("name")
        if not isinstance(name, str) or not name:
            self.add(f"{path}.name", f"a '{node.get('type')}' node needs the name of a field")
            return None
        f = model._fields.get(name)
        if f is None:
            self.add(f"{path}.name", f"{model._name} has no field '{name}'")
        return f

    def _node_field(self, node: dict[str, Any], props: dict[str, Any], model: type[Model], path: str) -> None:
        f = self._field(node, model, path)
        if f is None:
            return
        kind = field_kind(f)
        widget = props.get("widget")
        if widget is not None and widget_fits(str(widget), kind) is False:
            self.add(
                f"{path}.properties.widget",
                f"widget '{widget}' does not fit {model._name}.{f.name} ({kind}); use one of "
                f"{', '.join(fitting_widgets(kind))}",
            )
        aggregate = props.get("aggregate")
        if aggregate is not None and (
            aggregate not in AGGREGATES or (aggregate in ("sum", "avg") and kind not in NUMERIC)
        ):
            self.add(f"{path}.properties.aggregate", f"'{aggregate}' is not an aggregate of a {kind} field")
        if self.view_type == "Search" and "q_filter" in props:
            self.q_string(props["q_filter"], model, f"{path}.properties.q_filter")
        mode = node.get("display_mode")
        if mode is not None:
            if self.view_type != "Calendar" or mode not in CALENDAR_ROLES:
                self.add(f"{path}.display_mode", f"'{mode}' is not a display mode of a {self.view_type} view")
            elif mode in CALENDAR_MODES and kind not in CALENDAR_MODES[mode]:
                self.add(f"{path}.display_mode", f"'{mode}' needs a {' or '.join(CALENDAR_MODES[mode])} field")
        if "content" in node:
            if not is_x2many(f) or f.target is None:
                self.add(f"{path}.content", f"only x-to-many fields have columns; {f.name} is a {kind}")
            else:
                self.nodes(node["content"], f.target, f"{path}.content", columns=True)

    def _node_statusbar(self, node: dict[str, Any], props: dict[str, Any], model: type[Model], path: str) -> None:
        f = self._field(node, model, path)
        if f is not None and field_kind(f) not in ("Selection", "ManyToOne"):
            self.add(f"{path}.name", f"a statusbar shows a Selection or ManyToOne field; {f.name} is {field_kind(f)}")

    def _node_actionButton(self, node: dict[str, Any], props: dict[str, Any], model: type[Model], path: str) -> None:
        method = props.get("method")
        if not isinstance(method, str) or not method:
            self.add(f"{path}.properties.method", "an actionButton needs properties.method")
        elif not _exposed(model, method):
            self.add(
                f"{path}.properties.method",
                f"{model._name}.{method} is not an exposed method; name it action_* (a button exposes it) or "
                f"decorate it with @Model.expose",
            )

    def _node_linkButton(self, node: dict[str, Any], props: dict[str, Any], model: type[Model], path: str) -> None:
        if not node.get("name"):
            self.add(f"{path}.name", "a linkButton needs a name (its inheritance handle)")
        self._action_ref(props.get("action"), f"{path}.properties.action", required=True)
        if "q_filter" in props:
            self.q_string(props["q_filter"], None, f"{path}.properties.q_filter")

    def _node_settingsLink(self, node: dict[str, Any], props: dict[str, Any], model: type[Model], path: str) -> None:
        self._action_ref(props.get("action"), f"{path}.properties.action", required=True)

    def _node_filter(self, node: dict[str, Any], props: dict[str, Any], model: type[Model], path: str) -> None:
        if not node.get("name"):
            self.add(f"{path}.name", "a filter needs a name (the API selects filters by name)")
        if "q_filter" not in props:
            self.add(f"{path}.properties.q_filter", "a filter needs properties.q_filter")
        else:
            self.q_string(props["q_filter"], model, f"{path}.properties.q_filter")

    def _node_groupBy(self, node: dict[str, Any], props: dict[str, Any], model: type[Model], path: str) -> None:
        spec = node.get("name")
        if not isinstance(spec, str) or not spec:
            self.add(f"{path}.name", "a groupBy needs name: field or field:granularity")
            return
        message = groupable_problem(model, spec)
        if message:
            self.add(f"{path}.name", message)

    def _action_ref(self, value: Any, path: str, *, required: bool) -> None:
        if value is None:
            if required:
                self.add(path, "needs the identifier of a WindowAction")
        elif not isinstance(value, str):
            self.add(path, "must be a WindowAction identifier")
        elif self.actions is not None and value not in self.actions:
            self.add(path, f"no WindowAction has the identifier '{value}'")

    # -- root blocks ----------------------------------------------------------------------------
    def root(self, block: Any, model: type[Model], path: str) -> None:
        if not isinstance(block, dict):
            self.add(path, "a root block must be an object with 'content'")
            return
        known = ROOT_KEYS.get(self.view_type, frozenset({"content"})) | COMMON_ROOT_KEYS
        for key in sorted(set(block) - known):
            self.add(
                f"{path}.{key}", f"unknown key '{key}' for a {self.view_type} view; known: {', '.join(sorted(known))}"
            )
        self.nodes(block.get("content", []), model, f"{path}.content", columns=self.view_type == "List")
        if "buttons" in block:
            buttons = block["buttons"]
            self.nodes(buttons, model, f"{path}.buttons")
            for index, node in enumerate(buttons if isinstance(buttons, list) else []):
                if isinstance(node, dict) and node.get("type") != "actionButton":
                    self.add(f"{path}.buttons.{index}", "List buttons are actionButton nodes")
        decorations = block.get("decorations")
        if decorations is not None and not isinstance(decorations, dict):
            self.add(
                f"{path}.decorations", "decorations map a style (danger, warning, success, muted, bf) to a Q string"
            )
        for style, text in (decorations or {}).items() if isinstance(decorations, dict) else ():
            if style not in DECORATIONS:
                self.add(
                    f"{path}.decorations.{style}", f"unknown decoration '{style}'; use one of {', '.join(DECORATIONS)}"
                )
            self.modifier(text, model, f"{path}.decorations.{style}")
        method = block.get("data_method")
        if method is not None and not (isinstance(method, str) and callable(getattr(model, method, None))):
            self.add(f"{path}.data_method", f"{model._name} has no method '{method}'")
        for index, name in enumerate(_as_list(block.get("drag_fields"), self, f"{path}.drag_fields")):
            self._drag_field(model, name, f"{path}.drag_fields.{index}")
        for index, spec in enumerate(_as_list(block.get("aggregates"), self, f"{path}.aggregates")):
            name, _, func = str(spec).partition(":")
            f = model._fields.get(name)
            if f is None:
                self.add(f"{path}.aggregates.{index}", f"{model._name} has no field '{name}'")
            elif func not in AGGREGATES or (func in ("sum", "avg") and field_kind(f) not in NUMERIC):
                self.add(
                    f"{path}.aggregates.{index}", f"'{spec}' must be field:{'|'.join(AGGREGATES)} (sum/avg on numbers)"
                )
        if "quick_create" in block and not isinstance(block["quick_create"], bool):
            self.add(f"{path}.quick_create", "must be true or false")
        if "fold_field" in block:
            self._fold_field(model, block, f"{path}.fold_field")
        if "column_filter" in block:
            self._column_filter(model, block, f"{path}.column_filter")
        if "color_field" in block:
            self._color_field(model, block, path)
        if self.view_type == "Calendar" and path.endswith(".0"):
            starts = [n for n, _ in walk(block.get("content"), "") if n.get("display_mode") == "start"]
            if len(starts) != 1:
                self.add(f"{path}.content", "a Calendar needs exactly one field with display_mode: start")
        if "default_mode" in block and block["default_mode"] not in ("month", "week", "day"):
            self.add(f"{path}.default_mode", "must be month, week or day")

    def _column_model(self, model: type[Model], block: dict[str, Any], path: str) -> type[Model] | None:
        """The columns' model: the target of the first drag field when it is a ManyToOne (else an error)."""
        drags = block.get("drag_fields")
        first = model._fields.get(drags[0]) if isinstance(drags, list) and drags and isinstance(drags[0], str) else None
        if first is None or field_kind(first) != "ManyToOne":
            self.add(path, "needs drag_fields whose first field is a ManyToOne: the columns are its records")
            return None
        target: type[Model] = getattr(first, "target_model")  # noqa: B009 - a ManyToOne's, checked above
        return target

    def _column_filter(self, model: type[Model], block: dict[str, Any], path: str) -> None:
        """``column_filter`` is a Q string over the columns' model: which empty columns the board lists."""
        target = self._column_model(model, block, path)
        if target is None:
            return
        if not isinstance(block["column_filter"], str):
            self.add(path, f'must be a Q string over {target._name}, such as "Q(team__isnull=True)"')
            return
        # The server evaluates it (the q_filter of the columns' query): any path of the columns' model.
        self.q_string(block["column_filter"], target, path)

    def _fold_field(self, model: type[Model], block: dict[str, Any], path: str) -> None:
        """``fold_field`` names a stored Boolean of the columns' model (a ManyToOne first drag field)."""
        target = self._column_model(model, block, path)
        if target is None:
            return
        name = block["fold_field"]
        f = target._fields.get(name) if isinstance(name, str) else None
        if f is None or f.column is None or field_kind(f) != "Boolean":
            self.add(path, f"{target._name} has no stored Boolean field '{name}' to fold its columns with")

    def _color_field(self, model: type[Model], block: dict[str, Any], path: str) -> None:
        """``color_field`` names a stored field whose value colours the card; ``colors`` maps values to colours."""
        name = block["color_field"]
        f = model._fields.get(name) if isinstance(name, str) else None
        if f is None or f.column is None:
            self.add(f"{path}.color_field", f"{model._name} has no stored field '{name}' to colour the cards with")
        colors = block.get("colors")
        if colors is not None and not (isinstance(colors, dict) and all(isinstance(v, str) for v in colors.values())):
            self.add(f"{path}.colors", "colors map a value of color_field to a colour name (bug: red)")

    def _drag_field(self, model: type[Model], name: Any, path: str) -> None:
        f = model._fields.get(name) if isinstance(name, str) else None
        if f is None:
            self.add(path, f"{model._name} has no field '{name}'")
        elif f.column is None or f.automatic or field_kind(f) not in DRAGGABLE:
            self.add(
                path,
                f"{model._name}.{name} ({field_kind(f)}) cannot be a Kanban column: drag_fields need a stored "
                f"{', '.join(sorted(DRAGGABLE))} field",
            )


def groupable_problem(model: type[Model], spec: str) -> str | None:
    """Why ``field`` or ``field:granularity`` cannot group ``model``, or ``None``."""
    name, _, granularity = spec.partition(":")
    f = model._fields.get(name)
    if f is None:
        return f"{model._name} has no field '{name}'"
    if f.column is None:
        return f"{model._name}.{name} is not stored; only stored fields can group records"
    if granularity and (field_kind(f) not in ("Date", "Datetime") or granularity not in GRANULARITIES):
        return f"'{spec}': only Date and Datetime fields take a granularity ({', '.join(GRANULARITIES)})"
    return None


def check_view(
    view: ViewDef, registry: Registry, *, actions: frozenset[str] | None = None, groups: frozenset[str] | None = None
) -> list[tuple[str, str]]:
    """Every problem of a primary view: ``[(path, message)]``."""
    checker = Checker(registry, view.type, actions, groups)
    if view.model not in registry:
        return [("model", f"unknown model '{view.model}': no installed module defines it")]
    if not isinstance(view.arch, list) or not view.arch:
        return [("arch", "a view's arch is a non-empty list of root blocks (an extension needs inherited_view)")]
    if view.type not in NODE_TYPES:
        return []  # a type added by a module: it declares and checks its own vocabulary
    model = registry.get(view.model)
    for index, block in enumerate(view.arch):
        checker.root(block, model, f"arch.{index}")
    return checker.problems


def check_nodes(
    nodes: Any,
    view_type: str,
    registry: Registry,
    model_name: str,
    path: str,
    *,
    actions: frozenset[str] | None = None,
    groups: frozenset[str] | None = None,
) -> list[tuple[str, str]]:
    """Problems of loose nodes (a node or a list), e.g. the ``value`` of an extension's operation."""
    if model_name not in registry or view_type not in NODE_TYPES:
        return []
    checker = Checker(registry, view_type, actions, groups)
    model = registry.get(model_name)
    for node, here in _indexed(nodes, path) if isinstance(nodes, list) else [(nodes, path)]:
        checker.node(node, model, here)
    return checker.problems


def _indexed(nodes: list[Any], path: str) -> list[tuple[Any, str]]:
    return [(node, f"{path}.{i}") for i, node in enumerate(nodes)]


def _as_list(value: Any, checker: Checker, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        checker.add(path, "must be a list")
        return []
    return value


def _span_ok(span: Any) -> bool:
    if isinstance(span, dict):
        return bool(span) and all(_span_ok(v) for v in span.values())
    return isinstance(span, int) and not isinstance(span, bool) and 1 <= span <= 12


def q_leaves(q: Q) -> Iterator[Leaf]:
    """Every leaf condition of ``q`` (not those nested in any/none)."""
    for child in q.children:
        if isinstance(child, Leaf):
            yield child
        else:
            yield from q_leaves(child)


def _modifier_path_problem(model: type[Model], leaf: Leaf) -> str | None:
    """Modifier paths: a field, ``<relation>__id``, a date part; x-to-many only isnull/isnotnull."""
    head, *rest = leaf.path.split("__")
    f = model._fields.get(head)
    if f is None:
        return f"{model._name} has no field '{head}' (in {leaf.key!r})"
    kind = field_kind(f)
    if is_x2many(f):
        if rest or leaf.lookup not in ("isnull", "isnotnull"):
            return f"{leaf.key!r}: a modifier tests an x-to-many field only with isnull/isnotnull"
        return None
    if rest and not (f.relational and rest == ["id"]):
        return (
            f"{leaf.key!r}: modifiers may use only fields of {model._name} (or <relation>__id); expose "
            f"'{leaf.path}' through a related or computed field"
        )
    if leaf.part and kind not in ("Date", "Datetime"):
        return f"{leaf.key!r}: a date part needs a Date or Datetime field; {head} is {kind}"
    if leaf.lookup in ("any", "none"):
        return f"{leaf.key!r}: any/none apply to x-to-many fields, which modifiers test only with isnull/isnotnull"
    return None


def _exposed(model: type[Model], method: str) -> bool:
    """A button calls an ``@Model.expose`` method, or an ``action_*`` method (the button exposes it, api.md 4.7)."""
    fn = getattr(model, method, None)
    return fn is not None and (hasattr(fn, "_expose_groups") or (method.startswith("action_") and callable(fn)))
