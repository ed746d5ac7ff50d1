/**
 * Reading API answers without losing digits: every JSON number with a fraction or an exponent,
 * and every integer beyond 2^53, becomes its exact decimal string ("12.30"), the form in which
 * Monetary and Float values live in the client (`decimal.ts`). Integers stay numbers.
 *
 * A single pass over the text copies it, quoting those number tokens, then JSON.parse does the
 * rest natively; strings are skipped as a whole so digits inside them are never touched.
 */

const NEEDS_QUOTING = /[0-9][.eE]|[0-9]{16}/;

export function parseLossless(text: string): unknown {
  if (!NEEDS_QUOTING.test(text)) return JSON.parse(text);
  let out = "";
  let last = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 34) { i++; break; }
        else i++;
      }
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      const start = i;
      i++;
      let plain = true;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d >= 48 && d <= 57) i++;
        else if (d === 46 || d === 101 || d === 69 || d === 43 || d === 45) { plain = false; i++; }
        else break;
      }
      if (!plain || i - start > 15) {
        const token = text.slice(start, i);
        if (!plain || !Number.isSafeInteger(Number(token))) {
          out += text.slice(last, start) + '"' + token + '"';
          last = i;
        }
      }
      continue;
    }
    i++;
  }
  return JSON.parse(out + text.slice(last));
}
