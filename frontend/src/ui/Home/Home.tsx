import { Card, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { api } from "../../core/api/http";
import type { MenuNode } from "../../core/api/shapes";
import { queryKeys } from "../../core/query/keys";
import { useAuth } from "../auth";
import { Icon } from "../Shell";

function firstAction(node: MenuNode): string | null {
  if (node.action) return node.action;
  for (const child of node.children) {
    const found = firstAction(child);
    if (found) return found;
  }
  return null;
}

/** The app launcher: one card per top-level menu the user may see. */
export function Home(): ReactNode {
  const { profile } = useAuth();
  const menus = useQuery({ queryKey: queryKeys.menus(), queryFn: () => api.menus(), gcTime: Infinity });
  const apps = (menus.data?.data ?? []).map((m) => ({ menu: m, action: firstAction(m) })).filter((a) => a.action);
  return (
    <Stack>
      <Title order={1} size="h3">Welcome{profile ? `, ${profile.name}` : ""}</Title>
      {menus.isSuccess && apps.length === 0 && (
        <Text c="dimmed">There is nothing for you to open here yet. Ask an administrator for access.</Text>
      )}
      <SimpleGrid cols={{ base: 2, sm: 3, md: 4, lg: 6 }}>
        {apps.map(({ menu, action }) => (
          <Card key={menu.identifier} component={Link} to={`/action/${encodeURIComponent(action!)}`} withBorder padding="lg" radius="md" data-app={menu.identifier}>
            <Stack align="center" gap="xs">
              <Icon name={menu.icon} size={32} />
              <Text fw={600}>{menu.name}</Text>
            </Stack>
          </Card>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
