// The text of a Text(html=True) value, for lists (kept apart from the sanitiser in html.ts, which
// only the lazily loaded read-only view needs).
/** The text of an HTML value (lists show rich text as one line of plain text). */
export function htmlToText(html: string): string {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  // Blocks and line breaks separate words: "<p>a</p><p>b</p>" is "a b", not "ab".
  for (const block of doc.body.querySelectorAll("p, li, br, h1, h2, h3, blockquote, pre")) block.after(" ");
  return (doc.body.textContent ?? "").replace(/\s+/g, " ").trim();
}

/**
 * The editor's HTML as it is saved: without the empty paragraphs the editor keeps after the last
 * block (so the cursor can leave a list or a heading), and `null` when nothing but empty
 * paragraphs remains.
 */
export function editorHtml(html: string): string | null {
  const trimmed = html.replace(/(?:<p><\/p>|<p><br><\/p>)+$/, "");
  return trimmed === "" ? null : trimmed;
}
