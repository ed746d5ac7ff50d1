// Editors load lazily: a list needs only how values look; the inputs (pickers, comboboxes,
// embedded tables, uploads) come with the first form, keeping the first screen's bundle small.
import type { ComponentType, ReactNode } from "react";
import type { WidgetProps } from "../../core/registry/widgets";
import { lazyComponent } from "../lazyComponent";

export function lazyWidget(load: () => Promise<ComponentType<WidgetProps>>): (props: WidgetProps) => ReactNode {
  return lazyComponent(load);
}
