// The command palette (Ctrl+K, Mantine Spotlight): menus and actions by name, and records of the
// current screen's model by display_name; arrows choose, Enter opens. Loaded on first use.
import "@mantine/spotlight/styles.css";
import { Spotlight, createSpotlight } from "@mantine/spotlight";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { FileText, Search } from "lucide-react";
import { useEffect, useMemo, useState, type ReactNode } from "react";
import { useLocation, useNavigate } from "react-router";
import { api } from "../../core/api/http";
import { queryKeys } from "../../core/query/keys";
import { actionOfPath, matchMenus, menuEntries } from "../../core/views/palette";
import { useAction } from "../hooks";

const [store, palette] = createSpotlight();
export { palette };

/** `signal` changes each time the shell asks to open the palette (Ctrl+K, the search button). */
export function Palette({ signal }: { signal: number }): ReactNode {
  const navigate = useNavigate();
  const location = useLocation();
  const [query, setQuery] = useState("");
  const [typed] = useDebouncedValue(query.trim(), 200);
  const menus = useQuery({ queryKey: queryKeys.menus(), queryFn: () => api.menus(), gcTime: Infinity });
  const entries = useMemo(() => menuEntries(menus.data?.data ?? []), [menus.data]);
  const identifier = actionOfPath(location.pathname);
  const action = useAction(identifier ?? undefined);
  const model = action.data?.model;
  const body = { fields: ["display_name"], q_filter: { path: "display_name", lookup: "icontains" as const, value: typed }, limit: 8, total: "none" as const };
  const records = useQuery({
    queryKey: queryKeys.viewData(model ?? "-", "Palette", body),
    queryFn: ({ signal: abort }) => api.query(model!, body, { signal: abort, background: true }),
    enabled: Boolean(model) && typed.length >= 2,
  });
  useEffect(() => { if (signal > 0) palette.open(); }, [signal]);

  const found = matchMenus(entries, query);
  const rows = typed.length >= 2 ? records.data?.data ?? [] : [];
  return (
    <Spotlight.Root store={store} query={query} onQueryChange={setQuery} shortcut={null} scrollable maxHeight={420}
      attributes={{ content: { "aria-label": "Command palette" } }}
      styles={{ actionDescription: { color: "inherit", opacity: 1 }, actionsGroup: { color: "var(--mantine-color-text)" } }}>
      <Spotlight.Search placeholder="Search menus and records..." leftSection={<Search size={18} />} aria-label="Search menus and records" />
      <Spotlight.ActionsList aria-label="Results">
        {found.length > 0 && (
          <Spotlight.ActionsGroup label="Menus">
            {found.map((e) => (
              <Spotlight.Action key={e.identifier} label={e.label} description={e.path || undefined} data-testid="palette-menu"
                onClick={() => void navigate(`/action/${encodeURIComponent(e.action)}`)} />
            ))}
          </Spotlight.ActionsGroup>
        )}
        {rows.length > 0 && action.data && (
          <Spotlight.ActionsGroup label={action.data.name}>
            {rows.map((r) => (
              <Spotlight.Action key={String(r.id)} label={String(r.display_name ?? `#${String(r.id)}`)} leftSection={<FileText size={16} />} data-testid="palette-record"
                onClick={() => void navigate(`/action/${encodeURIComponent(action.data!.identifier)}/${String(r.id)}`)} />
            ))}
          </Spotlight.ActionsGroup>
        )}
        {found.length === 0 && rows.length === 0 && <Spotlight.Empty>Nothing found.</Spotlight.Empty>}
      </Spotlight.ActionsList>
    </Spotlight.Root>
  );
}
