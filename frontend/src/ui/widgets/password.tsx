// The PasswordInput editor (loaded with the first wizard that asks for a secret).
import { PasswordInput } from "@mantine/core";
import type { ReactNode } from "react";
import type { WidgetProps } from "../../core/registry/widgets";
import { inputProps } from "./text";

export function Password(p: WidgetProps): ReactNode {
  return (
    <PasswordInput {...inputProps(p)} variant="default" autoComplete="new-password" value={(p.value as string) ?? ""} maxLength={p.field.max_length}
      onChange={(e) => p.onChange(e.currentTarget.value || null)} />
  );
}
