// The read-only view of a Text(html=True) value: the HTML through the client's allowlist (a lazy
// chunk with the sanitiser, so the first screen's bundle does not carry it).
import type { ReactNode } from "react";
import { sanitizeHtml } from "../../core/html";
import type { WidgetProps } from "../../core/registry/widgets";

export function RichTextView(p: WidgetProps): ReactNode {
  return <div className="ff-richtext" data-field={p.name} dangerouslySetInnerHTML={{ __html: sanitizeHtml((p.value as string | null) ?? "") }} />;
}
