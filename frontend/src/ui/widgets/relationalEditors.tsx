// The relational editors (loaded lazily, see lazy.tsx): DataCombo and TagsInput.
import { ActionIcon, Anchor, Combobox, Group, Input, InputBase, Loader, Pill, PillsInput, Text, useCombobox } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { ExternalLink } from "lucide-react";
import { useState, type ReactNode } from "react";
import { Link } from "react-router";
import { api } from "../../core/api/http";
import { errorMessage } from "../../core/api/errors";
import type { Related } from "../../core/api/shapes";
import { queryKeys } from "../../core/query/keys";
import type { WidgetProps } from "../../core/registry/widgets";
import { useRecordDialog } from "./dialogs";
import { editable, inputProps, styleProps } from "./text";

const PAGE = 8;

function useOptions(model: string, search: string, enabled: boolean, exclude: number[] = [], filter?: unknown) {
  const [debounced] = useDebouncedValue(search, 200);
  const parts: unknown[] = [];
  if (debounced) parts.push({ path: "display_name", lookup: "icontains", value: debounced });
  if (exclude.length) parts.push({ path: "id", lookup: "nin", value: exclude });
  if (filter) parts.push(filter);
  const q_filter = parts.length === 0 ? null : parts.length === 1 ? parts[0] : { and: parts };
  const body = { fields: ["display_name"], limit: PAGE, q_filter: q_filter as never, total: "none" as const };
  return useQuery({ queryKey: queryKeys.query(model, body), queryFn: () => api.query(model, body, { background: true }), enabled });
}

async function quickCreate(model: string, name: string): Promise<Related> {
  const meta = await api.meta(model);
  const field = meta.rec_name && meta.fields[meta.rec_name] ? meta.rec_name : "name";
  const created = await api.create(model, { [field]: name });
  return { id: Number(created.id), display_name: String(created.display_name ?? name) };
}

export function DataCombo(p: WidgetProps): ReactNode {
  const value = p.value as Related | null;
  const relation = p.field.relation ?? "";
  const combobox = useCombobox({ onDropdownClose: () => { combobox.resetSelectedOption(); setSearch(null); } });
  const [search, setSearch] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const openDialog = useRecordDialog();
  const options = useOptions(relation, search ?? "", combobox.dropdownOpened, [], p.field.q_filter);

  if (!editable(p) || p.readonly) {
    if (!value) return p.mode === "form" ? <Input.Wrapper label={p.properties.nolabel ? undefined : p.label}><Text size="sm" c="dimmed">—</Text></Input.Wrapper> : null;
    const link = <Anchor component={Link} to={`/model/${relation}/${value.id}`} size="sm" onClick={(e) => e.stopPropagation()}>{value.display_name}</Anchor>;
    if (p.mode === "form") return <Input.Wrapper label={p.properties.nolabel ? undefined : p.label}><div>{link}</div></Input.Wrapper>;
    return <Text span size="sm" {...styleProps(p)}>{value.display_name}</Text>;
  }

  const typed = (search ?? "").trim();
  const pick = (record: Related | null): void => { p.onChange(record); combobox.closeDropdown(); setProblem(null); };
  const onOption = async (key: string): Promise<void> => {
    try {
      if (key === "__create") pick(await quickCreate(relation, typed));
      else if (key === "__create_edit") {
        combobox.closeDropdown();
        const saved = await openDialog({ model: relation, values: typed ? { name: typed } : {}, title: `Create ${p.label}` });
        if (saved) pick({ id: Number(saved.id), display_name: String(saved.display_name ?? "") });
      } else {
        const found = options.data?.data.find((r) => String(r.id) === key);
        if (found) pick({ id: Number(found.id), display_name: String(found.display_name ?? "") });
      }
    } catch (error) {
      setProblem(errorMessage(error));
    }
  };

  return (
    <Combobox store={combobox} onOptionSubmit={(key) => void onOption(key)} withinPortal>
      <Combobox.Target withExpandedAttribute>
        <InputBase
          {...inputProps(p)}
          error={problem ?? p.error}
          value={search ?? value?.display_name ?? ""}
          onChange={(e) => { setSearch(e.currentTarget.value); combobox.openDropdown(); combobox.updateSelectedOptionIndex(); }}
          onClick={() => combobox.openDropdown()}
          onFocus={() => combobox.openDropdown()}
          onBlur={() => { combobox.closeDropdown(); }}
          rightSection={value && p.mode === "form" ? (
            <Group gap={2} wrap="nowrap">
              <ActionIcon variant="subtle" size="sm" component={Link} to={`/model/${relation}/${value.id}`} aria-label={`Open ${value.display_name}`}><ExternalLink size={14} /></ActionIcon>
              {!p.required && <Combobox.ClearButton onClear={() => pick(null)} aria-label={`Clear ${p.label}`} />}
            </Group>
          ) : options.isFetching ? <Loader size={12} /> : <Combobox.Chevron />}
          rightSectionWidth={value && p.mode === "form" ? 56 : undefined}
          rightSectionPointerEvents={value && p.mode === "form" ? "all" : "none"}
        />
      </Combobox.Target>
      <Combobox.Dropdown>
        <Combobox.Options>
          {(options.data?.data ?? []).map((r) => <Combobox.Option key={String(r.id)} value={String(r.id)}>{String(r.display_name ?? "")}</Combobox.Option>)}
          {options.isSuccess && options.data.data.length === 0 && !typed && <Combobox.Empty>No records</Combobox.Empty>}
          {typed && <Combobox.Option value="__create"><Text size="sm" fw={500}>Create "{typed}"</Text></Combobox.Option>}
          <Combobox.Option value="__create_edit"><Text size="sm" c="dimmed">Create and edit...</Text></Combobox.Option>
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}

function tagsOf(value: unknown): Related[] {
  if (!Array.isArray(value)) return [];
  return value.map((v) => (typeof v === "object" && v ? (v as Related) : { id: Number(v), display_name: `#${String(v)}` }));
}

export function TagsInput(p: WidgetProps): ReactNode {
  const tags = tagsOf(p.value);
  const relation = p.field.relation ?? "";
  const combobox = useCombobox({ onDropdownClose: () => combobox.resetSelectedOption() });
  const [search, setSearch] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const options = useOptions(relation, search, combobox.dropdownOpened, tags.map((t) => t.id));
  const interactive = editable(p) && !p.readonly;

  if (!interactive && p.mode !== "form") {
    return <Group gap={4} wrap="nowrap">{tags.map((t) => <Pill key={t.id} size="sm">{t.display_name}</Pill>)}</Group>;
  }
  const add = (tag: Related): void => { p.onChange([...tags, tag]); setSearch(""); setProblem(null); };
  const onOption = async (key: string): Promise<void> => {
    try {
      if (key === "__create") add(await quickCreate(relation, search.trim()));
      else {
        const found = options.data?.data.find((r) => String(r.id) === key);
        if (found) add({ id: Number(found.id), display_name: String(found.display_name ?? "") });
      }
    } catch (error) {
      setProblem(errorMessage(error));
    }
  };
  return (
    <Combobox store={combobox} onOptionSubmit={(k) => void onOption(k)} withinPortal>
      <Combobox.DropdownTarget>
        <PillsInput label={p.mode === "form" && !p.properties.nolabel ? p.label : undefined} error={problem ?? p.error} onClick={() => interactive && combobox.openDropdown()}
          variant={interactive ? "default" : "unstyled"} size={p.mode === "form" ? "sm" : "xs"} data-field={p.name}>
          <Pill.Group>
            {tags.map((t) => <Pill key={t.id} withRemoveButton={interactive} onRemove={() => p.onChange(tags.filter((x) => x.id !== t.id))} removeButtonProps={{ "aria-label": `Remove ${t.display_name}`, "aria-hidden": false, tabIndex: 0 }}>{t.display_name}</Pill>)}
            {interactive && (
              <Combobox.EventsTarget>
                <PillsInput.Field value={search} placeholder={tags.length ? undefined : "Add..."} aria-label={p.label}
                  onFocus={() => combobox.openDropdown()} onBlur={() => combobox.closeDropdown()}
                  onChange={(e) => { setSearch(e.currentTarget.value); combobox.openDropdown(); combobox.updateSelectedOptionIndex(); }}
                  onKeyDown={(e) => { if (e.key === "Backspace" && !search && tags.length) p.onChange(tags.slice(0, -1)); }} />
              </Combobox.EventsTarget>
            )}
          </Pill.Group>
        </PillsInput>
      </Combobox.DropdownTarget>
      <Combobox.Dropdown>
        <Combobox.Options>
          {(options.data?.data ?? []).map((r) => <Combobox.Option key={String(r.id)} value={String(r.id)}>{String(r.display_name ?? "")}</Combobox.Option>)}
          {search.trim() && <Combobox.Option value="__create"><Text size="sm" fw={500}>Create "{search.trim()}"</Text></Combobox.Option>}
          {options.isSuccess && options.data.data.length === 0 && !search.trim() && <Combobox.Empty>Nothing more to add</Combobox.Empty>}
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}

