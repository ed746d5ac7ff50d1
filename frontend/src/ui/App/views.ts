// The view types of this release, registered in the view-type registry (views.md 14.3).
// Kanban and Calendar are lazy-loaded: the first screen does not carry drag and drop or the calendar.
import { registerViewType } from "../../core/registry/views";
import { lazyComponent } from "../lazyComponent";
import { ListView } from "../ListView";

registerViewType({
  type: "List",
  label: "List",
  component: ListView,
  switchable: true,
  capabilities: ["search", "pagination", "groupBy", "selection", "inlineEdit", "export", "browse", "formDrillDown"],
});

registerViewType({
  type: "Kanban",
  label: "Kanban",
  component: lazyComponent(() => import("../KanbanView/KanbanView").then((m) => m.KanbanView)),
  switchable: true,
  capabilities: ["search", "formDrillDown"],
});

registerViewType({
  type: "Calendar",
  label: "Calendar",
  component: lazyComponent(() => import("../CalendarView/CalendarView").then((m) => m.CalendarView)),
  switchable: true,
  capabilities: ["search", "formDrillDown"],
});
