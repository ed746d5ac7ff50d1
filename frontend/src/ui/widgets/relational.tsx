// Relations: DataCombo (ManyToOne autocomplete with quick create, "Create and edit..." and a link
// to the record), TagsInput (ManyToMany as chips), Avatar. The editors live in relationalEditors.tsx.
import { Avatar as MAvatar } from "@mantine/core";
import type { Related } from "../../core/api/shapes";
import { createWidget, registerWidget } from "../../core/registry/widgets";
import { lazyWidget } from "./lazy";
import { DisplayText, editable } from "./text";

const editors = () => import("./relationalEditors");
const DataCombo = lazyWidget(() => editors().then((m) => m.DataCombo));
const TagsInput = lazyWidget(() => editors().then((m) => m.TagsInput));

// In a list a read-only relation is its name: drawn here, without the editor's chunk, hooks and
// query observer per cell (a long page scrolls through thousands of them).
registerWidget("DataCombo", createWidget({
  name: "DataCombo",
  fieldTypes: ["ManyToOne", "OneToOne"],
  render: (p) => (p.mode === "list" || p.mode === "formlist") && (!editable(p) || p.readonly)
    ? (p.value ? <DisplayText {...p} /> : null)
    : <DataCombo {...p} />,
}));

registerWidget("TagsInput", createWidget({ name: "TagsInput", fieldTypes: ["ManyToMany"], render: (p) => <TagsInput {...p} /> }));

registerWidget("Avatar", createWidget({
  name: "Avatar",
  fieldTypes: ["ManyToOne", "File"],
  render: (p) => {
    const v = p.value as (Related & { url?: string; name?: string }) | null;
    if (!v) return null;
    const name = v.display_name ?? v.name ?? "";
    return <MAvatar size={(p.properties.size as string) ?? "sm"} radius="xl" name={name} color="initials" alt={name} />;
  },
}));
