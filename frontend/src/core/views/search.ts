/**
 * The search bar's state (views.md 7.4) and what it sends: facets are predefined filters (one
 * facet per divider group, its filters ORed; groups ANDed, by the server from their names),
 * field searches (values of one field ORed, fields ANDed) and the group-by keys.
 */
import type { SearchSpec } from "../api/shapes";
import { combine, splitKey, type QLeaf, type QNode, type QValue } from "../q";

export type Facet =
  | { kind: "filter"; group: number; names: string[] }
  | { kind: "field"; field: string; values: string[] }
  | { kind: "groupBy"; keys: string[] };

export interface SearchState { facets: Facet[] }

function substitute(value: QValue, text: string): QValue {
  if (Array.isArray(value)) return value.map((v) => substitute(v, text));
  if (value && typeof value === "object") {
    if ("$var" in value && value.$var === "value") return text;
    if ("$var" in value || "$date" in value) return value;
    return substituteNode(value as QNode, text);
  }
  return value;
}

function substituteNode(node: QNode, text: string): QNode {
  if ("and" in node) return { and: node.and.map((n) => substituteNode(n, text)) };
  if ("or" in node) return { or: node.or.map((n) => substituteNode(n, text)) };
  if ("not" in node) return { not: substituteNode(node.not, text) };
  return { ...node, value: substitute(node.value, text) };
}

/** The Q of searching `field` (a field node of the Search view) for `text`. */
export function fieldQuery(field: SearchSpec["fields"][number], text: string): QNode {
  if (field.q_filter) return substituteNode(field.q_filter, text);
  // The server sends the whole key (`company__display_name__icontains`); a bare lookup is accepted too.
  const given = field.lookup || "icontains";
  const key = given === field.name || given.startsWith(`${field.name}__`) ? given : `${field.name}__${given}`;
  const [path, part, lookup] = splitKey(key);
  let value: QValue = text;
  if (["eq", "neq", "gt", "gte", "lt", "lte"].includes(lookup) && /^-?[0-9]+$/.test(text.trim())) value = Number(text.trim());
  const leaf: QLeaf = part ? { path, part, lookup, value } : { path, lookup, value };
  return leaf;
}

export interface SearchRequest { filters: string[]; q_filter: QNode | null; group_by: string[] }

export function searchRequest(spec: SearchSpec | undefined, state: SearchState, base: QNode | null = null): SearchRequest {
  const filters: string[] = [];
  const parts: QNode[] = base ? [base] : [];
  let group_by: string[] = [];
  for (const facet of state.facets) {
    if (facet.kind === "filter") filters.push(...facet.names);
    else if (facet.kind === "groupBy") group_by = [...group_by, ...facet.keys];
    else {
      const field = spec?.fields.find((f) => f.name === facet.field);
      if (!field) continue;
      parts.push(combine("or", facet.values.map((v) => fieldQuery(field, v))));
    }
  }
  return { filters, q_filter: parts.length ? combine("and", parts) : null, group_by };
}

export function toggleFilter(state: SearchState, group: number, name: string): SearchState {
  const facets = [...state.facets];
  const index = facets.findIndex((f) => f.kind === "filter" && f.group === group);
  if (index < 0) return { facets: [...facets, { kind: "filter", group, names: [name] }] };
  const facet = facets[index] as Extract<Facet, { kind: "filter" }>;
  const names = facet.names.includes(name) ? facet.names.filter((n) => n !== name) : [...facet.names, name];
  if (names.length) facets[index] = { ...facet, names };
  else facets.splice(index, 1);
  return { facets };
}

export function addFieldSearch(state: SearchState, field: string, text: string): SearchState {
  const facets = [...state.facets];
  const index = facets.findIndex((f) => f.kind === "field" && f.field === field);
  if (index < 0) return { facets: [...facets, { kind: "field", field, values: [text] }] };
  const facet = facets[index] as Extract<Facet, { kind: "field" }>;
  if (!facet.values.includes(text)) facets[index] = { ...facet, values: [...facet.values, text] };
  return { facets };
}

export function toggleGroupBy(state: SearchState, key: string): SearchState {
  const facets = [...state.facets];
  const index = facets.findIndex((f) => f.kind === "groupBy");
  if (index < 0) return { facets: [...facets, { kind: "groupBy", keys: [key] }] };
  const facet = facets[index] as Extract<Facet, { kind: "groupBy" }>;
  const keys = facet.keys.includes(key) ? facet.keys.filter((k) => k !== key) : [...facet.keys, key];
  if (keys.length) facets[index] = { ...facet, keys };
  else facets.splice(index, 1);
  return { facets };
}

export function removeFacet(state: SearchState, index: number): SearchState {
  return { facets: state.facets.filter((_, i) => i !== index) };
}

/** The facets of the filters marked `default` and those the action's `search_default` names. */
export function defaultFacets(spec: SearchSpec | undefined, searchDefault: unknown): Facet[] {
  const named = Array.isArray(searchDefault) ? searchDefault.map(String) : [];
  const facets: Facet[] = [];
  (spec?.filters ?? []).forEach((group, index) => {
    const names = group.filter((f) => f.default || named.includes(f.name)).map((f) => f.name);
    if (names.length) facets.push({ kind: "filter", group: index, names });
  });
  return facets;
}
