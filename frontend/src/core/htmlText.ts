// The text of a Text(html=True) value, for lists (kept apart from the sanitiser in html.ts, which
// only the lazily loaded read-only view needs).
/** The text of an HTML value (lists show rich text as one line of plain text). */
export function htmlToText(html: string): string {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  return (doc.body.textContent ?? "").replace(/\s+/g, " ").trim();
}
