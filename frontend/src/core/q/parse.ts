/**
 * The Q-string reader (orm.md 12.4) in TypeScript: the same grammar and canonical form as
 * `fullfinity.engine._qparse`, producing the JSON tree (orm.md 12.6). The server sends views'
 * Q strings already as trees; this reader serves Q strings typed by people (saved searches,
 * tests) and is checked against the shared vectors.
 */
import { BOUND_NAMES, DATE_PARTS, LOOKUPS, OFFSETS, QSyntaxError, isLeaf, type DateSpec, type QLeaf, type QNode, type QValue } from "./types";
import { ANCHORS } from "./types";
import { parseIso } from "./dates";

type Token =
  | { t: "name"; v: string; at: number }
  | { t: "num"; v: number; at: number }
  | { t: "str"; v: string; at: number }
  | { t: "op"; v: string; at: number }
  | { t: "end"; at: number };

const SEGMENT = /^[A-Za-z][A-Za-z0-9_]*$/;
const MAX_LENGTH = 20_000;
export const MAX_DEPTH = 64;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if ("()[],=&|~-".includes(c)) { out.push({ t: "op", v: c, at: i }); i++; continue; }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let value = "";
      while (j < text.length && text[j] !== c) {
        if (text[j] === "\n") throw new QSyntaxError(`Q string is not valid syntax at column ${i + 1}: unterminated string`);
        if (text[j] === "\\") {
          const e = text[j + 1];
          const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0" };
          if (e !== undefined && e in simple) { value += simple[e]; j += 2; continue; }
          if (e === "x" || e === "u") {
            const len = e === "x" ? 2 : 4;
            value += String.fromCodePoint(parseInt(text.slice(j + 2, j + 2 + len), 16));
            j += 2 + len;
            continue;
          }
          value += "\\";
          j++;
          continue;
        }
        value += text[j];
        j++;
      }
      if (j >= text.length) throw new QSyntaxError(`Q string is not valid syntax at column ${i + 1}: unterminated string`);
      out.push({ t: "str", v: value, at: i });
      i = j + 1;
      continue;
    }
    const num = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (num && /[0-9.]/.test(c)) { out.push({ t: "num", v: Number(num[0]), at: i }); i += num[0].length; continue; }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (name) { out.push({ t: "name", v: name[0], at: i }); i += name[0].length; continue; }
    throw new QSyntaxError(`Q string rejected at column ${i + 1}: found '${c}'; a Q string is Q(path__lookup=value, ...) calls combined with &, | and ~`);
  }
  out.push({ t: "end", at: text.length });
  return out;
}

/** `"created_date__month__in"` -> `["created_date", "month", "in"]`. */
export function splitKey(key: string): [string, QLeaf["part"], QLeaf["lookup"]] {
  const segments = key.split("__");
  for (const s of segments) {
    if (!SEGMENT.test(s)) throw new QSyntaxError(`lookup key '${key}' is not a path: found ${s ? `'${s}'` : "an empty segment"}`);
  }
  let lookup: QLeaf["lookup"] = "eq";
  if (segments.length > 1 && (LOOKUPS as readonly string[]).includes(segments[segments.length - 1]!)) lookup = segments.pop() as QLeaf["lookup"];
  let part: QLeaf["part"];
  if (segments.length > 1 && (DATE_PARTS as readonly string[]).includes(segments[segments.length - 1]!)) part = segments.pop() as QLeaf["part"];
  return [segments.join("__"), part, lookup];
}

function unwrap(node: QNode): QNode {
  if ("and" in node && node.and.length === 1) return node.and[0]!;
  if ("or" in node && node.or.length === 1) return node.or[0]!;
  return node;
}

/** The canonical and/or of `nodes` (single children unwrapped, same connectors spliced), or a not. */
export function combine(connector: "and" | "or" | "not", nodes: QNode[]): QNode {
  if (connector === "not") return { not: unwrap(nodes[0]!) };
  const flat: QNode[] = [];
  for (const raw of nodes) {
    const node = unwrap(raw);
    if (connector === "and" && "and" in node) flat.push(...node.and);
    else if (connector === "or" && "or" in node) flat.push(...node.or);
    else flat.push(node);
  }
  if (flat.length === 1) return flat[0]!;
  return connector === "and" ? { and: flat } : { or: flat };
}

function checkValue(key: string, leaf: QLeaf): void {
  const { lookup, value, part } = leaf;
  const fail = (needs: string): never => { throw new QSyntaxError(`${key}: ${lookup} needs ${needs}`); };
  const isNode = (v: unknown): boolean => typeof v === "object" && v !== null && !Array.isArray(v) && !("$var" in v) && !("$date" in v);
  if (lookup === "any" || lookup === "none") {
    if (part) fail("no date part");
    if (!isNode(value)) fail(`a Q(...) for the related records, e.g. moves__${lookup}=Q(weight__gt=10)`);
    return;
  }
  const items = Array.isArray(value) ? value : [value];
  if (items.some(isNode)) fail("a value; a Q(...) value is only for __any and __none");
  const isVar = typeof value === "object" && value !== null && "$var" in value;
  if (lookup === "isnull" || lookup === "isnotnull") { if (typeof value !== "boolean") fail("True or False"); return; }
  if (["contains", "icontains", "startswith", "istartswith", "endswith", "iendswith"].includes(lookup)) {
    if (typeof value !== "string" && !isVar) fail("a string");
    return;
  }
  if (lookup === "in" || lookup === "nin") {
    if (!Array.isArray(value) && !isVar) fail("a list such as [1, 2]");
    if (items.includes(null)) fail("a list without None");
  } else if (lookup === "between") {
    if (!Array.isArray(value) || value.length !== 2 || value.includes(null)) fail("a list of two values [low, high]");
  } else if (Array.isArray(value)) fail("a single value; use __in to compare with a list");
  else if (value === null && lookup !== "eq" && lookup !== "neq") fail("a value; use __isnull");
}

class Reader {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token { return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!; }
  private next(): Token { return this.tokens[this.pos++]!; }
  private isOp(v: string, offset = 0): boolean { const t = this.peek(offset); return t.t === "op" && t.v === v; }
  private expect(v: string): void {
    const t = this.next();
    if (t.t !== "op" || t.v !== v) throw new QSyntaxError(`Q string rejected at column ${t.at + 1}: expected '${v}'`);
  }

  read(): QNode {
    const node = this.expr(1);
    const t = this.peek();
    if (t.t !== "end") throw new QSyntaxError(`Q string rejected at column ${t.at + 1}: unexpected text after the expression`);
    return node;
  }

  expr(depth: number): QNode {
    const terms = [this.andExpr(depth)];
    while (this.isOp("|")) { this.next(); terms.push(this.andExpr(depth)); }
    return terms.length === 1 ? terms[0]! : combine("or", terms);
  }

  private andExpr(depth: number): QNode {
    const terms = [this.unary(depth)];
    while (this.isOp("&")) { this.next(); terms.push(this.unary(depth)); }
    return terms.length === 1 ? terms[0]! : combine("and", terms);
  }

  private unary(depth: number): QNode {
    if (depth > MAX_DEPTH) throw new QSyntaxError(`Q nested deeper than ${MAX_DEPTH} levels`);
    if (this.isOp("~")) { this.next(); return combine("not", [this.unary(depth + 1)]); }
    if (this.isOp("(")) { this.next(); const inner = this.expr(depth + 1); this.expect(")"); return inner; }
    const t = this.next();
    if (t.t === "name" && t.v === "Q" && this.isOp("(")) return this.qCall(depth);
    throw new QSyntaxError(`Q string rejected at column ${t.at + 1}: found ${t.t === "end" ? "the end" : `'${"v" in t ? t.v : ""}'`} where Q(...) was expected`);
  }

  private qCall(depth: number): QNode {
    this.expect("(");
    const children: QNode[] = [];
    const seen = new Set<string>();
    while (!this.isOp(")")) {
      const t = this.peek();
      if (t.t === "name" && this.isOp("=", 1)) {
        this.next(); this.next();
        if (seen.has(t.v)) throw new QSyntaxError(`keyword '${t.v}' is given twice; combine repeated conditions with &`);
        seen.add(t.v);
        children.push(this.leaf(t.v, this.value(depth + 1)));
      } else {
        if (seen.size) throw new QSyntaxError(`Q string rejected at column ${t.at + 1}: positional Q(...) must come before keywords`);
        children.push(this.expr(depth + 1));
      }
      if (!this.isOp(",")) break;
      this.next();
    }
    this.expect(")");
    if (children.length === 0) return { and: [] };
    return combine("and", children);
  }

  private leaf(key: string, value: QValue): QLeaf {
    const [path, part, lookup] = splitKey(key);
    const leaf: QLeaf = part ? { path, part, lookup, value } : { path, lookup, value };
    if ((lookup === "any" || lookup === "none") && typeof value === "object" && value !== null && !Array.isArray(value) && isLeaf(value as QNode)) {
      leaf.value = value;
    }
    checkValue(key, leaf);
    return leaf;
  }

  private value(depth: number): QValue {
    const t = this.peek();
    if (t.t === "str") { this.next(); return t.v; }
    if (t.t === "num") { this.next(); return t.v; }
    if (t.t === "op" && t.v === "-") {
      const n = this.peek(1);
      if (n.t === "num") { this.next(); this.next(); return -n.v; }
    }
    if (t.t === "op" && t.v === "[") {
      this.next();
      const items: QValue[] = [];
      while (!this.isOp("]")) { items.push(this.value(depth + 1)); if (!this.isOp(",")) break; this.next(); }
      this.expect("]");
      return items;
    }
    if (t.t === "op" && t.v === "(" && !this.looksLikeQ()) {
      this.next();
      const items: QValue[] = [];
      while (!this.isOp(")")) { items.push(this.value(depth + 1)); if (!this.isOp(",")) break; this.next(); }
      this.expect(")");
      return items;
    }
    if (t.t === "name") {
      const literals: Record<string, QValue> = { True: true, true: true, False: false, false: false, None: null, null: null };
      if (t.v in literals && !this.isOp("(", 1)) { this.next(); return literals[t.v]!; }
      if ((BOUND_NAMES as readonly string[]).includes(t.v)) { this.next(); return { $var: t.v as (typeof BOUND_NAMES)[number] }; }
      if (t.v === "D" && this.isOp("(", 1)) { this.next(); return this.dCall(); }
    }
    if (this.looksLikeQ()) return this.expr(depth);
    throw new QSyntaxError(`Q string rejected at column ${t.at + 1}: found ${"v" in t ? `'${t.v}'` : "the end"} where a value was expected`);
  }

  /** Whether the tokens ahead start a Q expression (`Q(`, `~`, or parentheses around one). */
  private looksLikeQ(): boolean {
    let i = 0;
    while (this.isOp("(", i) || this.isOp("~", i)) i++;
    const t = this.peek(i);
    return t.t === "name" && t.v === "Q" && this.isOp("(", i + 1);
  }

  private dCall(): QValue {
    this.expect("(");
    const spec: DateSpec = { anchor: "today" };
    let positional = true;
    while (!this.isOp(")")) {
      const t = this.next();
      if (t.t === "str" && positional) { spec.anchor = t.v; positional = false; }
      else if (t.t === "name" && (OFFSETS as readonly string[]).includes(t.v) && this.isOp("=")) {
        positional = false;
        this.next();
        let sign = 1;
        if (this.isOp("-")) { this.next(); sign = -1; }
        const n = this.next();
        if (n.t !== "num" || !Number.isInteger(n.v)) throw new QSyntaxError(`D() offsets are whole numbers`);
        if (n.v !== 0) spec[t.v as (typeof OFFSETS)[number]] = sign * n.v;
      } else throw new QSyntaxError(`Q string rejected at column ${t.at + 1}: D() takes an anchor string then offsets such as days=-7`);
      if (!this.isOp(",")) break;
      this.next();
    }
    this.expect(")");
    if (!(ANCHORS as readonly string[]).includes(spec.anchor) && parseIso(spec.anchor) === null) {
      throw new QSyntaxError(`D() anchor must be one of ${ANCHORS.join(", ")} or an ISO date/datetime string, got '${spec.anchor}'`);
    }
    const ordered: DateSpec = { anchor: spec.anchor };
    for (const name of OFFSETS) if (spec[name]) ordered[name] = spec[name];
    return { $date: ordered };
  }
}

/** The JSON tree a Q string spells; `QSyntaxError` when it is not one. */
export function parseQ(text: string): QNode {
  if (text.length > MAX_LENGTH) throw new QSyntaxError(`Q string is ${text.length} characters long, over the limit of ${MAX_LENGTH}`);
  if (!text.trim()) throw new QSyntaxError("Q string is empty; write Q() to match every record");
  return new Reader(tokenize(text)).read();
}
