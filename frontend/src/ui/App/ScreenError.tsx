// What a screen shows when drawing it threw: the shell and its menus stay, the error is named and
// the user can reload the screen or go home (instead of the router's developer page).
import { Alert, Button, Code, Group, Stack } from "@mantine/core";
import type { ReactNode } from "react";
import { useNavigate, useRouteError } from "react-router";

export function ScreenError(): ReactNode {
  const error = useRouteError();
  const navigate = useNavigate();
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Stack p="md" maw={720} data-testid="screen-error">
      <Alert color="red" title="This screen could not be shown">
        <Stack gap="sm">
          <span>Something in the page failed while drawing it. Your saved data is not affected; unsaved edits on this screen are lost.</span>
          <Code block>{message}</Code>
          <Group>
            <Button size="xs" onClick={() => window.location.reload()}>Reload the screen</Button>
            <Button size="xs" variant="default" onClick={() => navigate("/")}>Go to the home screen</Button>
          </Group>
        </Stack>
      </Alert>
    </Stack>
  );
}
