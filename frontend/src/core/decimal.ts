/**
 * Exact decimals: Monetary and Float values travel as decimal strings in the client (the API
 * reader keeps every digit, see `api/json.ts`), are compared and formatted with big.js, and are
 * sent back as strings. Nothing here goes through a JavaScript float.
 */
import Big from "big.js";

const DECIMAL = /^[+-]?[0-9]+(\.[0-9]+)?$/;

/** A plain decimal string such as "1234.50" (the server's rule for numeric strings in Q). */
export function isDecimalString(value: unknown): value is string {
  return typeof value === "string" && DECIMAL.test(value);
}

/** The shortest decimal spelling of a float, as Python's repr: 0.1 -> "0.1". */
export function numberToDecimal(value: number): string {
  return new Big(value).toFixed();
}

export function compareDecimal(a: string | number, b: string | number): number {
  return new Big(a).cmp(new Big(b));
}

export function addDecimal(a: string | number, b: string | number): string {
  return new Big(a).plus(new Big(b)).toFixed();
}

/** Whether `text` is what a person may type as a number: digits, one point, a sign. */
export function parseDecimalInput(text: string, decimalSeparator = "."): string | null {
  const cleaned = text.trim().replace(/[\s\u00a0\u202f']/g, "").replace(decimalSeparator, ".");
  if (cleaned === "") return null;
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(cleaned)) return null;
  return new Big(cleaned).toFixed();
}

export interface DecimalFormat {
  /** Digits after the point; undefined keeps every digit of the value. */
  precision?: number;
  group?: string;
  decimal?: string;
}

/** "1234567.5" -> "1,234,567.50" (half-up rounding to `precision`). */
export function formatDecimal(value: string | number, { precision, group = ",", decimal = "." }: DecimalFormat = {}): string {
  const big = new Big(value);
  const fixed = precision === undefined ? big.toFixed() : big.toFixed(precision, Big.roundHalfUp);
  const negative = fixed.startsWith("-");
  const [whole = "0", fraction] = (negative ? fixed.slice(1) : fixed).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${negative ? "-" : ""}${grouped}${fraction !== undefined ? decimal + fraction : ""}`;
}
