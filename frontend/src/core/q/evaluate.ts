/**
 * In-memory evaluation of Q trees, the rules of `fullfinity.engine._qeval` (read its docstring):
 * the same record shapes (a bare id stands for `{id}`, a ManyToOne compares its id, a list
 * means "at least one"), two-valued null logic, dates in the user's time zone, decimal strings
 * compared exactly with numbers (money never goes through a float here).
 */
import { compareDecimal, isDecimalString, numberToDecimal } from "../decimal";
import {
  instant, localMidnight, parseIso, readNow, resolveDate, toLocal,
  type DateTimeValue, type DateValue, type Moment,
} from "./dates";
import { QEvalError, isLeaf, type QBindings, type QLeaf, type QNode, type QValue } from "./types";

type Resolved = string | number | boolean | null | Moment | Resolved[] | QNode;
type RecordLike = Record<string, unknown>;

const TEXT = new Set(["contains", "icontains", "startswith", "istartswith", "endswith", "iendswith"]);

function isMoment(v: unknown): v is Moment {
  return typeof v === "object" && v !== null && "kind" in v && ((v as Moment).kind === "date" || (v as Moment).kind === "datetime");
}

function isRecord(v: unknown): v is RecordLike {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isMoment(v);
}

function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}

/** Full case folding, close to Python's `str.casefold` (ß -> ss, final sigma -> sigma). */
export function casefold(text: string): string {
  return text.toUpperCase().toLowerCase();
}

function codePointCompare(a: string, b: string): number {
  if (!/[\uD800-\uDFFF]/.test(a + b)) return a < b ? -1 : a > b ? 1 : 0;
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length - y.length === 0 ? 0 : x.length < y.length ? -1 : 1;
}

class Scope {
  readonly tz: string;
  readonly now: number;
  constructor(private readonly bindings: QBindings) {
    this.tz = bindings.tz ?? "UTC";
    this.now = readNow(bindings.now);
  }

  valueOf(name: string): Resolved {
    if (name === "now") return { kind: "datetime", us: this.now, naive: false };
    if (name === "today") {
      if (this.bindings.today !== undefined) {
        const parsed = parseIso(this.bindings.today);
        if (!parsed || parsed.kind !== "date") throw new QEvalError(`binding 'today' must be an ISO date, got ${this.bindings.today}`);
        return parsed;
      }
      return toLocal(this.now, this.tz).date;
    }
    const key = name === "company_id" && !("company_id" in this.bindings) ? "cid" : name;
    if (!(key in this.bindings)) throw new QEvalError(`the Q uses the bound name '${name}' but no value is bound to it`);
    return (this.bindings as Record<string, Resolved>)[key] ?? null;
  }

  resolve(value: QValue): Resolved {
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if ("$var" in value) return this.valueOf(value.$var);
    if ("$date" in value) return resolveDate(value.$date, this.tz, this.now);
    return value;
  }
}

class Evaluator {
  constructor(private readonly scope: Scope) {}
  private get tz(): string { return this.scope.tz; }

  node(node: QNode, record: RecordLike): boolean {
    if (isLeaf(node)) return this.walk(node, this.scope.resolve(node.value), record, node.path.split("__"));
    if ("not" in node) return !this.node(node.not, record);
    if ("or" in node) return node.or.some((child) => this.node(child, record));
    return node.and.every((child) => this.node(child, record));
  }

  private walk(leaf: QLeaf, target: Resolved, holder: unknown, segments: string[]): boolean {
    if (holder === null || holder === undefined) return this.terminal(leaf, target, null);
    if (Array.isArray(holder)) return holder.some((item) => this.walk(leaf, target, item, segments));
    if (isInt(holder)) holder = { id: holder };
    if (!isRecord(holder)) throw new QEvalError(`${leaf.path}: cannot read '${segments[0]}' from ${JSON.stringify(holder)}`);
    const value = holder[segments[0]!];
    if (segments.length === 1) return this.terminal(leaf, target, value ?? null);
    return this.walk(leaf, target, value ?? null, segments.slice(1));
  }

  private terminal(leaf: QLeaf, target: Resolved, value: unknown): boolean {
    const lookup = leaf.lookup;
    if (lookup === "any" || lookup === "none") {
      const items = value === null ? [] : Array.isArray(value) ? value : [value];
      const hit = items.some((item) => this.node(target as QNode, asRecord(leaf, item)));
      return lookup === "any" ? hit : !hit;
    }
    if (Array.isArray(value)) {
      if ((lookup === "isnull" || lookup === "isnotnull") && !leaf.part) return (value.length === 0) === wantsNull(leaf);
      return value.some((item) => this.compare(leaf, target, item));
    }
    return this.compare(leaf, target, value);
  }

  private compare(leaf: QLeaf, target: Resolved, raw: unknown): boolean {
    let value: unknown = isRecord(raw) ? (raw.id ?? null) : raw;
    if (leaf.part) value = this.datePart(leaf, value);
    const lookup = leaf.lookup;
    if (lookup === "isnull" || lookup === "isnotnull") return (value === null || value === undefined) === wantsNull(leaf);
    const missing = value === null || value === undefined;
    if (lookup === "eq") return target === null ? missing : !missing && this.equal(value, target);
    if (lookup === "neq") return target === null ? !missing : missing || !this.equal(value, target);
    if (lookup === "in" || lookup === "nin") {
      if (!Array.isArray(target)) throw new QEvalError(`${leaf.path}: ${lookup} needs a list`);
      const found = !missing && target.some((item) => this.equal(value, item));
      return lookup === "in" ? found : missing || !found;
    }
    if (missing) return false;
    if (TEXT.has(lookup)) return textMatch(leaf, value, target);
    if (lookup === "between") {
      const [low, high] = target as Resolved[];
      return this.order(leaf, value, low!) >= 0 && this.order(leaf, value, high!) <= 0;
    }
    const sign = this.order(leaf, value, target);
    return lookup === "gt" ? sign > 0 : lookup === "gte" ? sign >= 0 : lookup === "lt" ? sign < 0 : sign <= 0;
  }

  private datePart(leaf: QLeaf, value: unknown): number | null {
    if (value === null || value === undefined) return null;
    const moment = typeof value === "string" ? parseIso(value) : isMoment(value) ? value : null;
    if (!moment) throw new QEvalError(`${leaf.path}: the ${leaf.part} of ${JSON.stringify(value)} cannot be taken; it needs a date`);
    const day: DateValue = moment.kind === "date" ? moment : toLocal(instant(moment, this.tz), this.tz).date;
    return leaf.part === "year" ? day.y : leaf.part === "month" ? day.m : day.d;
  }

  /** `[left, right]` made comparable as numbers, strings, booleans or epoch numbers; null when not. */
  private pair(left: unknown, right: unknown, wholeDay: boolean): [unknown, unknown, "num" | "dec" | "str" | "bool"] | null {
    if (typeof left === "boolean" || typeof right === "boolean") {
      return typeof left === "boolean" && typeof right === "boolean" ? [Number(left), Number(right), "bool"] : null;
    }
    if (isMoment(left) || isMoment(right) || (typeof left === "string" && typeof right === "string")) {
      const l = typeof left === "string" ? parseIso(left) : isMoment(left) ? left : null;
      const r = typeof right === "string" ? parseIso(right) : isMoment(right) ? right : null;
      if (l && r) return [...this.moments(l, r, wholeDay), "num"];
      if (typeof left === "string" && typeof right === "string") return [left, right, "str"];
      return null;
    }
    if (typeof left === "number" && typeof right === "number") return [left, right, "num"];
    if (typeof left === "number" && isDecimalString(right)) return [numberToDecimal(left), right, "dec"];
    if (isDecimalString(left) && typeof right === "number") return [left, numberToDecimal(right), "dec"];
    return null;
  }

  private moments(left: Moment, right: Moment, wholeDay: boolean): [number, number] {
    const day = (v: DateValue): number => Date.UTC(v.y, v.m - 1, v.d);
    if (left.kind === "datetime" && right.kind === "datetime") return [instant(left, this.tz), instant(right, this.tz)];
    if (left.kind === "datetime" && right.kind === "date") {
      if (wholeDay) return [day(toLocal(instant(left, this.tz), this.tz).date), day(right)];
      return [instant(left, this.tz), localMidnight(right, this.tz)];
    }
    if (left.kind === "date" && right.kind === "datetime") return [localMidnight(left, this.tz), instant(right as DateTimeValue, this.tz)];
    return [day(left as DateValue), day(right as DateValue)];
  }

  private equal(value: unknown, target: unknown): boolean {
    if (isRecord(value) || Array.isArray(value)) return false;
    const pair = this.pair(value, target, true);
    return pair !== null && sign(pair) === 0;
  }

  private order(leaf: QLeaf, value: unknown, target: unknown): number {
    const pair = this.pair(value, target, false);
    if (pair === null || pair[2] === "bool") {
      throw new QEvalError(`${leaf.path}: cannot order ${JSON.stringify(value)} against ${JSON.stringify(target)}; compare values of one kind`);
    }
    return sign(pair);
  }
}

function sign([l, r, kind]: [unknown, unknown, "num" | "dec" | "str" | "bool"]): number {
  if (kind === "dec") return compareDecimal(l as string, r as string);
  if (kind === "str") return codePointCompare(l as string, r as string);
  return (l as number) > (r as number) ? 1 : (l as number) < (r as number) ? -1 : 0;
}

function wantsNull(leaf: QLeaf): boolean {
  return Boolean(leaf.value) === (leaf.lookup === "isnull");
}

function asRecord(leaf: QLeaf, item: unknown): RecordLike {
  if (isRecord(item)) return item;
  if (isInt(item)) return { id: item };
  throw new QEvalError(`${leaf.path}: ${leaf.lookup} needs related records as objects or ids`);
}

function textMatch(leaf: QLeaf, value: unknown, target: unknown): boolean {
  if (typeof value !== "string" || typeof target !== "string") {
    throw new QEvalError(`${leaf.path}: ${leaf.lookup} compares text, got ${JSON.stringify(value)} and ${JSON.stringify(target)}`);
  }
  const fold = leaf.lookup.startsWith("i");
  const text = fold ? casefold(value) : value;
  const needle = fold ? casefold(target) : target;
  if (leaf.lookup.endsWith("contains")) return text.includes(needle);
  if (leaf.lookup.endsWith("startswith")) return text.startsWith(needle);
  return text.endsWith(needle);
}

/** Whether `values` (a record as JSON) satisfies `tree` with these bindings. */
export function matches(tree: QNode, values: Record<string, unknown>, bindings: QBindings = {}): boolean {
  return new Evaluator(new Scope(bindings)).node(tree, values);
}
