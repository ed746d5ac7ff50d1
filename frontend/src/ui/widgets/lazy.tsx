// Editors load lazily: a list needs only how values look; the inputs (pickers, comboboxes,
// embedded tables, uploads) come with the first form, keeping the first screen's bundle small.
import { lazy, Suspense, type ComponentType, type ReactNode } from "react";
import { loading } from "../../core/query/loading";
import type { WidgetProps } from "../../core/registry/widgets";

export function lazyWidget(load: () => Promise<ComponentType<WidgetProps>>): (props: WidgetProps) => ReactNode {
  const Component = lazy(() => loading.track(load().then((c) => ({ default: c }))));
  return function LazyWidget(props: WidgetProps): ReactNode {
    return <Suspense fallback={null}><Component {...props} /></Suspense>;
  };
}
