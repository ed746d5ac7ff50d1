// Files: FileInput and ImageInput (upload as {name, content: base64, mimetype}; download through
// the API with the user's token).
import { Anchor, Button, FileButton, Group, Input, Text } from "@mantine/core";
import { Download, Upload } from "lucide-react";
import type { ReactNode } from "react";
import { api } from "../../core/api/http";
import { createWidget, registerWidget, type WidgetProps } from "../../core/registry/widgets";
import { editable } from "./text";

interface FileValue { id?: number; name?: string; mimetype?: string; size?: number; url?: string; content?: string }

async function toUpload(file: File): Promise<FileValue> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { name: file.name, content: btoa(binary), mimetype: file.type || "application/octet-stream" };
}

async function download(p: WidgetProps, value: FileValue): Promise<void> {
  const id = Number(p.record.id);
  const response = await api.file(p.model, id, p.name);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = value.name || p.name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function FileWidget(p: WidgetProps & { accept?: string }): ReactNode {
  const value = (typeof p.value === "object" ? p.value : p.value ? { name: "file" } : null) as FileValue | null;
  const interactive = editable(p) && !p.readonly;
  const body = (
    <Group gap="xs">
      {value && (value.content ? <Text size="sm">{value.name}</Text> : (
        <Anchor component="button" type="button" size="sm" onClick={(e) => { e.stopPropagation(); void download(p, value); }}>
          <Group gap={4}><Download size={14} />{value.name ?? "Download"}</Group>
        </Anchor>
      ))}
      {interactive && (
        <FileButton onChange={(file) => { if (file) void toUpload(file).then((v) => p.onChange(p.field.type === "Binary" ? v.content : v)); }} accept={p.accept}>
          {(props) => <Button {...props} size="xs" variant="light" leftSection={<Upload size={14} />}>{value ? "Replace" : "Upload"}</Button>}
        </FileButton>
      )}
      {interactive && value && !p.required && <Button size="xs" variant="subtle" color="red" onClick={() => p.onChange(null)}>Remove</Button>}
    </Group>
  );
  return p.mode === "form" ? <Input.Wrapper label={p.properties.nolabel ? undefined : p.label} error={p.error}>{body}</Input.Wrapper> : body;
}

registerWidget("FileInput", createWidget({ name: "FileInput", fieldTypes: ["File", "Binary"], render: (p) => <FileWidget {...p} /> }));
registerWidget("ImageInput", createWidget({ name: "ImageInput", fieldTypes: ["File", "Binary"], render: (p) => <FileWidget {...p} accept="image/*" /> }));
