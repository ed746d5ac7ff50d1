import { Alert, Group, SegmentedControl } from "@mantine/core";
import type { ReactNode } from "react";
import { useLocation, useParams, useSearchParams } from "react-router";
import { ApiError } from "../../core/api/errors";
import type { RecordValues } from "../../core/api/shapes";
import { availableViews, getViewType } from "../../core/registry/views";
import { readListState } from "../../core/url";
import { useAction, useView } from "../hooks";
import { lazyComponent } from "../lazyComponent";

// The Form view (and its widgets) loads when the first record opens, not with the first list.
const FormView = lazyComponent(() => import("../FormView/FormView").then((m) => m.FormView));

function NotAvailable({ error }: { error: unknown }): ReactNode {
  const message = error instanceof ApiError ? error.message : "This screen could not be opened.";
  return <Alert color="red" title={error instanceof ApiError && error.status === 404 ? "Not available" : "Error"}>{message}</Alert>;
}

/** A window action: its views by type (the view-type registry), or one record in its Form. */
export function ActionScreen(): ReactNode {
  const { action: identifier, id } = useParams();
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const action = useAction(identifier);
  const views = action.data ? availableViews(action.data) : [];
  const switchable = views.filter((v) => getViewType(v.type)?.switchable);
  const formEntry = views.find((v) => v.type === "Form");
  const requested = params.get("view");
  const chosen = switchable.find((v) => v.type === requested) ?? switchable[0];
  const openRecord = id !== undefined || (action.data?.res_id != null && !chosen);
  const recordId = id === "new" ? null : id !== undefined ? Number(id) : action.data?.res_id ?? null;
  const model = action.data?.model;
  const listView = useView(openRecord ? undefined : model, chosen?.type ?? "List", chosen?.view);
  const searchView = useView(openRecord || !getViewType(chosen?.type ?? "")?.capabilities.has("search") ? undefined : model, "Search");
  const formView = useView(openRecord ? model : undefined, "Form", formEntry?.view);
  const context = { ...(action.data?.context ?? {}), ...readListState(params).context };

  if (action.error) return <NotAvailable error={action.error} />;
  if (!action.data) return null;
  if (openRecord) {
    if (formView.error) return <NotAvailable error={formView.error} />;
    if (!formView.data) return null;
    const duplicate = (location.state as { duplicate?: RecordValues } | null)?.duplicate;
    return (
      <FormView key={`${String(recordId)}`} view={formView.data} action={action.data} id={recordId} context={context} {...(duplicate && recordId === null ? { initial: duplicate } : {})} />
    );
  }
  if (!chosen) return <Alert color="yellow" title="No view to show">This action has no view type this client can draw yet.</Alert>;
  const entry = getViewType(chosen.type)!;
  if (listView.error) return <NotAvailable error={listView.error} />;
  if (!listView.data || (entry.capabilities.has("search") && !searchView.data && !searchView.error)) return null;
  const Component = entry.component;
  return (
    <>
      {switchable.length > 1 && (
        <Group justify="flex-end" mb={-8}>
          <SegmentedControl size="xs" data={switchable.map((v) => ({ value: v.type, label: getViewType(v.type)!.label }))} value={chosen.type}
            onChange={(type) => { const next = new URLSearchParams(params); next.set("view", type); setParams(next); }} aria-label="View type" />
        </Group>
      )}
      <Component key={`${chosen.type}:${action.data.identifier}`} action={action.data} view={listView.data} searchView={searchView.data ?? null} />
    </>
  );
}

/** A record opened by model and id (a relation's link), in the model's default Form view. */
export function RecordScreen(): ReactNode {
  const { model, id } = useParams();
  const formView = useView(model, "Form");
  if (formView.error) return <NotAvailable error={formView.error} />;
  if (!formView.data) return null;
  return <FormView key={`${model}:${id}`} view={formView.data} id={id === "new" ? null : Number(id)} />;
}

