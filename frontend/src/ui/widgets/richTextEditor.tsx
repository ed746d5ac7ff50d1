// The RichText editor (Mantine's Tiptap editor), a chunk of its own loaded with the first form
// showing a Text(html=True) field: the first screen's bundle stays under its budget.
import "@mantine/tiptap/styles.css";
import { Input } from "@mantine/core";
import { Link, RichTextEditor } from "@mantine/tiptap";
import { useEditor } from "@tiptap/react";
import StarterKit from "@tiptap/starter-kit";
import { useEffect, type ReactNode } from "react";
import { editorHtml } from "../../core/htmlText";
import type { WidgetProps } from "../../core/registry/widgets";

export function RichTextEdit(p: WidgetProps): ReactNode {
  const value = (p.value as string | null) ?? "";
  const editor = useEditor({
    extensions: [StarterKit.configure({ link: false }), Link.configure({ openOnClick: false, protocols: ["mailto", "tel"] })],
    content: value,
    immediatelyRender: true,
    shouldRerenderOnTransaction: false,
    onUpdate: ({ editor: e }) => p.onChange(e.isEmpty ? null : editorHtml(e.getHTML())),
  });
  // A value changed from outside (discard, onchange, reload) replaces the editor's content.
  useEffect(() => {
    // (An instance created for a render React threw away is destroyed: the next one takes over.)
    if (!editor || editor.isDestroyed) return;
    if (value !== (editor.isEmpty ? "" : editorHtml(editor.getHTML()) ?? "")) editor.commands.setContent(value, { emitUpdate: false });
  }, [editor, value]);
  return (
    <Input.Wrapper label={p.mode === "form" && !p.properties.nolabel ? p.label : undefined} required={p.required} error={p.error} data-field={p.name}>
      <RichTextEditor editor={editor} aria-label={p.label}>
        <RichTextEditor.Toolbar>
          <RichTextEditor.ControlsGroup>
            <RichTextEditor.Bold />
            <RichTextEditor.Italic />
          </RichTextEditor.ControlsGroup>
          <RichTextEditor.ControlsGroup>
            <RichTextEditor.BulletList />
            <RichTextEditor.OrderedList />
          </RichTextEditor.ControlsGroup>
          <RichTextEditor.ControlsGroup>
            <RichTextEditor.Link />
            <RichTextEditor.Unlink />
          </RichTextEditor.ControlsGroup>
        </RichTextEditor.Toolbar>
        <RichTextEditor.Content />
      </RichTextEditor>
    </Input.Wrapper>
  );
}
