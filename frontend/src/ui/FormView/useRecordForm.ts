// The state of one record being viewed or edited: load (fetch or default-get), the draft,
// onchange, save (422 errors by path, 409 kept as a conflict), duplicate.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../../core/api/http";
import { ApiError } from "../../core/api/errors";
import type { FieldMeta, RecordValues, ViewDef } from "../../core/api/shapes";
import { storedLine } from "../../core/records/commands";
import { changeId, changesOf, mergeAnswer, toPaths, triggersOnchange, type Change } from "../../core/records/onchange";
import { queryKeys } from "../../core/query/keys";
import { writable, writeValues } from "./values";

export interface RecordForm {
  loaded: boolean;
  missing: ApiError | null;
  values: RecordValues;
  changed: Set<string>;
  dirty: boolean;
  errors: Record<string, string>;
  conflict: boolean;
  saving: boolean;
  set: (field: string, value: unknown) => void;
  save: () => Promise<RecordValues | null>;
  discard: () => void;
  reloadKeepingEdits: () => Promise<void>;
  dismissConflict: () => void;
  duplicateValues: () => RecordValues;
  /** Put server messages under their fields (a wizard's button answered 422). */
  setErrors: (errors: Record<string, string>) => void;
}

function relatedPaths(view: ViewDef, fields: Record<string, FieldMeta>): string[] {
  const out = new Set<string>();
  for (const [name, f] of Object.entries(fields)) if (f.type === "OneToMany" || f.type === "ManyToMany") if (view.fetch.includes(name)) out.add(name);
  for (const path of view.fetch) if (path.includes(".")) out.add(path.split(".").slice(0, -1).join("."));
  return [...out];
}

function toDraft(record: RecordValues, fields: Record<string, FieldMeta>): RecordValues {
  const out: RecordValues = { ...record };
  for (const [name, f] of Object.entries(fields)) {
    if (f.type === "OneToMany" && Array.isArray(record[name])) out[name] = (record[name] as RecordValues[]).map((v) => storedLine(typeof v === "object" ? v : { id: v }));
  }
  return out;
}

/** A record of `view` (`id` null: a new one, from default-get, read-only fields included, as a wizard needs). */
export function useRecordForm(view: ViewDef, id: number | null, givenContext: Record<string, unknown>, initial?: RecordValues): RecordForm {
  // Callers build the context afresh on each render: keep one object while its content is the same.
  const contextKey = JSON.stringify(givenContext);
  const context = useMemo(() => givenContext, [contextKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const model = view.model;
  const fields = useMemo(() => view.models[model] ?? {}, [view, model]);
  const client = useQueryClient();
  const fetchFields = view.fetch;
  const related = useMemo(() => relatedPaths(view, fields), [view, fields]);
  const source = useQuery({
    queryKey: id === null ? ["fullfinity", "data", model, "new", view.identifier, JSON.stringify(initial ?? {}), JSON.stringify(context)] : queryKeys.record(model, id, fetchFields),
    queryFn: async () => {
      if (id !== null) return api.fetch(model, id, { fields: fetchFields, related, context });
      // Read-only fields too: modifiers test them (`state` of a new invoice is "draft").
      const names = Object.keys(fields).filter((n) => n !== "id" && fetchFields.includes(n));
      const answer = await api.defaultGet(model, names, context);
      return { ...answer.values, ...(initial ?? {}) };
    },
    retry: false,
  });
  const [values, setValues] = useState<RecordValues>({});
  const [changed, setChanged] = useState<Set<string>>(new Set());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [conflict, setConflict] = useState(false);
  const [saving, setSaving] = useState(false);
  const [ready, setReady] = useState(false);
  const pending = useRef<number>(0);
  const computed = useMemo(() => Object.entries(fields).filter(([, f]) => f.computed).map(([n]) => n), [fields]);

  useEffect(() => {
    if (!source.data) return;
    setValues(toDraft(source.data, fields));
    const start = id === null ? new Set(Object.keys(initial ?? {}).filter((k) => k in fields)) : new Set<string>();
    setChanged(start);
    setErrors({});
    setReady(true);
  }, [source.data]); // eslint-disable-line react-hooks/exhaustive-deps

  // Changes not answered yet: sent again with the next request until an answer covers them.
  const unanswered = useRef(new Map<string, Change>());
  const onchange = useCallback((next: RecordValues, names: Set<string>, changes: Change[]) => {
    const field = changes[0]!.field;
    const lineFields = view.models[fields[field]?.relation ?? ""] ?? {};
    if (!triggersOnchange(fields[field], lineFields, computed.length > 0)) return;
    for (const c of changes) unanswered.current.set(changeId(c), c);
    const sent = [...unanswered.current.keys()];
    const ticket = ++pending.current;
    const draft = writeValues(Object.fromEntries([...names].map((n) => [n, next[n]])), fields, view.models);
    const changed = toPaths(unanswered.current.values(), next);
    void api.onchange(model, { ...(id !== null ? { id } : {}), values: draft, changed, context }, { background: true })
      .then((answer) => {
        if (ticket !== pending.current) return;
        for (const key of sent) unanswered.current.delete(key);
        setValues((current) => {
          const merged = mergeAnswer(current, answer.values, fields, view.models, new Set());
          if (merged.assigned.length) setChanged((c) => new Set([...c, ...merged.assigned]));
          return merged.values;
        });
      })
      .catch(() => { /* a draft the server cannot compute yet: the save will say why */ });
  }, [computed, fields, id, model, context, view.models]);

  const set = useCallback((field: string, value: unknown) => {
    setValues((current) => {
      const next = { ...current, [field]: value };
      const changes = changesOf(field, fields[field], current[field], value);
      setChanged((c) => {
        const names = new Set(c).add(field);
        onchange(next, names, changes);
        return names;
      });
      return next;
    });
    setErrors((e) => {
      if (!(field in e) && !Object.keys(e).some((k) => k.startsWith(`${field}.`))) return e;
      return Object.fromEntries(Object.entries(e).filter(([k]) => k !== field && !k.startsWith(`${field}.`)));
    });
  }, [onchange, fields]);

  const save = useCallback(async (): Promise<RecordValues | null> => {
    const payload = writeValues(Object.fromEntries([...changed].filter((n) => writable(fields[n])).map((n) => [n, values[n]])), fields, view.models);
    setSaving(true);
    try {
      const saved = id === null
        ? await api.create(model, { ...payload, __context: context })
        : Object.keys(payload).length ? await api.update(model, id, { ...payload, updated_date: values.updated_date }) : values;
      setChanged(new Set());
      setErrors({});
      await client.invalidateQueries({ queryKey: queryKeys.model(model) });
      return saved;
    } catch (error) {
      if (error instanceof ApiError && error.isConflict) setConflict(true);
      else if (error instanceof ApiError) setErrors(error.fieldErrors());
      throw error;
    } finally {
      setSaving(false);
    }
  }, [changed, fields, values, id, model, context, client, view.models]);

  const discard = useCallback(() => {
    if (source.data) setValues(toDraft(source.data, fields));
    setChanged(new Set());
    setErrors({});
  }, [source.data, fields]);

  const reloadKeepingEdits = useCallback(async () => {
    if (id === null) return;
    const fresh = await api.fetch(model, id, { fields: fetchFields, related, context });
    const edits = Object.fromEntries([...changed].map((n) => [n, values[n]]));
    setValues({ ...toDraft(fresh, fields), ...edits });
    setConflict(false);
  }, [id, model, fetchFields, related, context, changed, values, fields]);

  const duplicateValues = useCallback((): RecordValues => {
    const out: RecordValues = {};
    for (const [name, f] of Object.entries(fields)) {
      if (!writable(f) || f.type === "OneToMany" || f.unique || ["id", "updated_date", "created_date"].includes(name)) continue;
      if (values[name] !== undefined && values[name] !== null) out[name] = values[name];
    }
    return out;
  }, [fields, values]);

  return {
    loaded: source.isSuccess && ready,
    missing: source.error instanceof ApiError ? source.error : null,
    values, changed, dirty: changed.size > 0, errors, conflict, saving,
    set, save, discard, reloadKeepingEdits, dismissConflict: () => setConflict(false), duplicateValues, setErrors,
  };
}
