// The view types of this release, registered in the view-type registry (views.md 14.3).
// Part 2 adds Kanban and Calendar here (lazy-loaded) the same way.
import { registerViewType } from "../../core/registry/views";
import { ListView } from "../ListView";

registerViewType({
  type: "List",
  label: "List",
  component: ListView,
  switchable: true,
  capabilities: ["search", "pagination", "groupBy", "selection", "inlineEdit", "export", "browse", "formDrillDown"],
});
