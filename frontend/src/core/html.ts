// HTML of a Text(html=True) field shown in the page: the server sanitises every write (nh3,
// fullfinity.engine.fields.html); this applies the same allowlist again in the browser, so a value
// stored before the field became HTML (or by raw SQL) never runs a script or an event handler.
const TAGS = new Set(["P", "BR", "STRONG", "EM", "U", "S", "UL", "OL", "LI", "A", "H1", "H2", "H3", "BLOCKQUOTE", "CODE", "PRE"]);
const DROPPED = new Set(["SCRIPT", "STYLE", "IFRAME", "OBJECT", "EMBED", "TEMPLATE", "NOSCRIPT", "SVG", "MATH"]);
const SCHEMES = /^(https?:|mailto:|tel:)/i;

function clean(node: Node, doc: Document): Node[] {
  if (node.nodeType === Node.TEXT_NODE) return [doc.createTextNode(node.textContent ?? "")];
  if (node.nodeType !== Node.ELEMENT_NODE) return [];
  const el = node as Element;
  if (DROPPED.has(el.tagName)) return [];
  const children = Array.from(el.childNodes).flatMap((child) => clean(child, doc));
  if (!TAGS.has(el.tagName)) return children;
  const out = doc.createElement(el.tagName.toLowerCase());
  if (el.tagName === "A") {
    const href = (el.getAttribute("href") ?? "").trim();
    if (SCHEMES.test(href)) out.setAttribute("href", href);
    out.setAttribute("rel", "noopener noreferrer");
  }
  out.append(...children);
  return [out];
}

/** `html` with only the editor's tags (p, br, strong, em, u, s, lists, a[href] with safe schemes, h1-h3, blockquote, code, pre). */
export function sanitizeHtml(html: string): string {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const box = doc.createElement("div");
  box.append(...Array.from(doc.body.childNodes).flatMap((child) => clean(child, doc)));
  return box.innerHTML;
}
