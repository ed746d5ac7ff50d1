import { ActionIcon, Button, Checkbox, Combobox, Divider, Group, Menu, Pill, PillsInput, Select, Stack, Text, TextInput, useCombobox } from "@mantine/core";
import { useHotkeys } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Filter, Layers, Save, Search, Star, Trash2 } from "lucide-react";
import { useRef, useState, type ReactNode } from "react";
import { api } from "../../core/api/http";
import { errorMessage } from "../../core/api/errors";
import type { FieldMeta, SearchSpec } from "../../core/api/shapes";
import { queryKeys } from "../../core/query/keys";
import { addFieldSearch, removeFacet, toggleFilter, toggleGroupBy, type Facet, type SearchState } from "../../core/views/search";
import { useAuth } from "../auth";

interface Props {
  model: string;
  action: string;
  spec: SearchSpec | undefined;
  fields: Record<string, FieldMeta>;
  state: SearchState;
  onChange: (state: SearchState) => void;
}

const GROUPABLE = new Set(["Char", "Selection", "ManyToOne", "Boolean", "Date", "Datetime", "Integer"]);

function facetLabel(facet: Facet, spec: SearchSpec | undefined, fields: Record<string, FieldMeta>): { title: string; text: string } {
  if (facet.kind === "filter") {
    const labels = facet.names.map((n) => spec?.filters.flat().find((f) => f.name === n)?.label ?? n);
    return { title: "Filter", text: labels.join(" or ") };
  }
  if (facet.kind === "groupBy") {
    const labels = facet.keys.map((k) => spec?.group_by.find((g) => g.name === k)?.label ?? fields[k.split(":")[0]!]?.label ?? k);
    return { title: "Group by", text: labels.join(" > ") };
  }
  const field = spec?.fields.find((f) => f.name === facet.field);
  return { title: field?.label ?? fields[facet.field]?.label ?? facet.field, text: facet.values.join(" or ") };
}

/** The search bar (views.md 7.4): facets as chips, "Search <field> for: <text>", filters, group-by, saved searches. */
export function SearchBar({ model, action, spec, fields, state, onChange }: Props): ReactNode {
  const [text, setText] = useState("");
  const input = useRef<HTMLInputElement>(null);
  const combobox = useCombobox({ onDropdownClose: () => combobox.resetSelectedOption() });
  useHotkeys([["/", () => input.current?.focus()]], ["INPUT", "TEXTAREA"]);
  const searchable = spec?.fields ?? [];
  const typed = text.trim();

  const submit = (value: string): void => {
    const field = value.replace(/^field:/, "");
    onChange(addFieldSearch(state, field, typed));
    setText("");
    combobox.closeDropdown();
  };

  return (
    <Group gap="xs" align="flex-start" wrap="nowrap" style={{ flex: 1, minWidth: 0 }}>
      <Combobox store={combobox} onOptionSubmit={submit} withinPortal>
        <Combobox.DropdownTarget>
          <PillsInput style={{ flex: 1, minWidth: 0 }} leftSection={<Search size={16} />} aria-label="Search" onClick={() => input.current?.focus()}>
            <Pill.Group>
              {state.facets.map((facet, index) => {
                const { title, text: t } = facetLabel(facet, spec, fields);
                return (
                  <Pill key={index} withRemoveButton onRemove={() => onChange(removeFacet(state, index))} removeButtonProps={{ "aria-label": `Remove ${title}: ${t}`, "aria-hidden": false, tabIndex: 0 }} data-facet={facet.kind}>
                    <Text span size="xs" fw={700}>{title}:</Text> {t}
                  </Pill>
                );
              })}
              <Combobox.EventsTarget>
                <PillsInput.Field ref={input} value={text} placeholder={state.facets.length ? "" : "Search..."} aria-label="Search records"
                  onChange={(e) => { setText(e.currentTarget.value); if (e.currentTarget.value.trim()) combobox.openDropdown(); else combobox.closeDropdown(); combobox.selectFirstOption(); }}
                  onKeyDown={(e) => {
                    if (e.key === "Backspace" && !text && state.facets.length) onChange(removeFacet(state, state.facets.length - 1));
                    if (e.key === "Enter" && typed && searchable[0] && !combobox.dropdownOpened) submit(searchable[0].name);
                  }}
                  onBlur={() => combobox.closeDropdown()} />
              </Combobox.EventsTarget>
            </Pill.Group>
          </PillsInput>
        </Combobox.DropdownTarget>
        <Combobox.Dropdown hidden={!typed}>
          <Combobox.Options>
            {searchable.map((f) => (
              <Combobox.Option key={f.name} value={`field:${f.name}`}>
                <Text size="sm">Search <b>{f.label ?? fields[f.name]?.label ?? f.name}</b> for: {typed}</Text>
              </Combobox.Option>
            ))}
          </Combobox.Options>
        </Combobox.Dropdown>
      </Combobox>
      <FilterMenu spec={spec} fields={fields} state={state} onChange={onChange} />
      <SavedSearches model={model} action={action} state={state} onChange={onChange} />
    </Group>
  );
}

function FilterMenu({ spec, fields, state, onChange }: Omit<Props, "model" | "action">): ReactNode {
  const [custom, setCustom] = useState<string | null>(null);
  const active = (group: number, name: string): boolean => state.facets.some((f) => f.kind === "filter" && f.group === group && f.names.includes(name));
  const grouped = state.facets.find((f) => f.kind === "groupBy") as Extract<Facet, { kind: "groupBy" }> | undefined;
  const groupable = Object.entries(fields).filter(([, m]) => GROUPABLE.has(m.type) && m.store !== false).map(([name, m]) => ({ value: name, label: m.label ?? name }));
  return (
    <Menu closeOnItemClick={false} position="bottom-end" withinPortal>
      <Menu.Target>
        <Button variant="default" leftSection={<Filter size={16} />} aria-label="Filters and grouping">Filters</Button>
      </Menu.Target>
      <Menu.Dropdown miw={240}>
        <Menu.Label>Filters</Menu.Label>
        {(spec?.filters ?? []).map((group, index) => (
          <div key={index}>
            {index > 0 && <Menu.Divider />}
            {group.map((f) => (
              <Menu.Item key={f.name} onClick={() => onChange(toggleFilter(state, index, f.name))} leftSection={<Checkbox size="xs" checked={active(index, f.name)} readOnly tabIndex={-1} aria-hidden />} data-filter={f.name}>
                {f.label}
              </Menu.Item>
            ))}
          </div>
        ))}
        <Menu.Divider />
        <Menu.Label><Group gap={4}><Layers size={12} />Group by</Group></Menu.Label>
        {(spec?.group_by ?? []).map((g) => (
          <Menu.Item key={g.name} onClick={() => onChange(toggleGroupBy(state, g.name))} leftSection={<Checkbox size="xs" checked={grouped?.keys.includes(g.name) ?? false} readOnly tabIndex={-1} aria-hidden />} data-groupby={g.name}>
            {g.label}
          </Menu.Item>
        ))}
        <Stack p="xs" gap={4}>
          <Select size="xs" placeholder="Custom group" data={groupable} value={custom} onChange={(v) => { setCustom(null); if (v) onChange(toggleGroupBy(state, v)); }} aria-label="Group by another field" comboboxProps={{ withinPortal: false }} />
        </Stack>
      </Menu.Dropdown>
    </Menu>
  );
}

interface Saved { id: number; name: string; facets: Facet[] | null; group_by: string[] | null; shared: boolean; is_default: boolean; user: { id: number } | null }

function SavedSearches({ model, action, state, onChange }: Omit<Props, "spec" | "fields">): ReactNode {
  const { profile } = useAuth();
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = queryKeys.savedSearches(model, action);
  const saved = useQuery({
    queryKey: key,
    queryFn: () => api.query("SavedSearch", { fields: ["name", "facets", "group_by", "shared", "is_default", "user"], q_filter: { and: [{ path: "model", lookup: "eq", value: model }, { path: "action", lookup: "eq", value: action }] } as never, limit: 200 }, { background: true }),
  });
  const create = useMutation({
    mutationFn: () => api.create("SavedSearch", {
      name: name.trim(), model, action, facets: state.facets, shared, user: profile?.id,
      group_by: state.facets.flatMap((f) => (f.kind === "groupBy" ? f.keys : [])),
    }),
    onSuccess: () => { setName(""); setError(null); void client.invalidateQueries({ queryKey: key }); },
    onError: (e) => setError(errorMessage(e)),
  });
  const remove = useMutation({ mutationFn: (id: number) => api.remove("SavedSearch", id), onSuccess: () => void client.invalidateQueries({ queryKey: key }) });
  const rows = (saved.data?.data ?? []) as unknown as Saved[];
  return (
    <Menu closeOnItemClick position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="default" size="lg" aria-label="Saved searches"><Star size={16} /></ActionIcon>
      </Menu.Target>
      <Menu.Dropdown miw={260}>
        <Menu.Label>Saved searches</Menu.Label>
        {rows.length === 0 && <Text size="xs" c="dimmed" px="sm">None yet</Text>}
        {rows.map((s) => (
          <Menu.Item key={s.id} onClick={() => onChange({ facets: s.facets ?? [] })}
            rightSection={s.user?.id === profile?.id ? (
              <ActionIcon size="xs" variant="subtle" color="red" component="span" aria-label={`Delete ${s.name}`} onClick={(e) => { e.stopPropagation(); remove.mutate(s.id); }}><Trash2 size={12} /></ActionIcon>
            ) : undefined}>
            {s.name}{s.shared ? " (shared)" : ""}
          </Menu.Item>
        ))}
        <Divider my={4} />
        <Stack p="xs" gap={6} onKeyDown={(e) => e.stopPropagation()}>
          <TextInput size="xs" placeholder="Name of this search" value={name} onChange={(e) => setName(e.currentTarget.value)} aria-label="Name of the search to save" error={error} />
          <Checkbox size="xs" label="Share with everyone" checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} />
          <Button size="xs" leftSection={<Save size={14} />} disabled={!name.trim()} loading={create.isPending} onClick={() => create.mutate()}>Save current search</Button>
        </Stack>
      </Menu.Dropdown>
    </Menu>
  );
}
