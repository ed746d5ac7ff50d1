import { ActionIcon, AppShell, Avatar, Burger, Group, Menu, NavLink, ScrollArea, Text, UnstyledButton, useComputedColorScheme, useMantineColorScheme } from "@mantine/core";
import { useDisclosure, useHotkeys } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { KeyRound, LogOut, Moon, Search, Sun } from "lucide-react";
import { useState, type ReactNode } from "react";
import { Link, Outlet, useLocation, useNavigate } from "react-router";
import { actionDialogs } from "../../core/actions/dialogs";
import { api } from "../../core/api/http";
import type { MenuNode } from "../../core/api/shapes";
import { queryKeys } from "../../core/query/keys";
import { useAuth } from "../auth";
import { WizardHost } from "../Wizard";
import { Icon } from "./icons";
import { lazyComponent } from "../lazyComponent";

// The command palette (Spotlight) loads with its first Ctrl+K.
const Palette = lazyComponent(() => import("../Palette/Palette").then((m) => m.Palette));

function actionHref(menu: MenuNode): string {
  return `/action/${encodeURIComponent(menu.action!)}`;
}

function MenuTree({ nodes, depth, onPick }: { nodes: MenuNode[]; depth: number; onPick: () => void }): ReactNode {
  const location = useLocation();
  return nodes.map((node) => {
    if (node.action) {
      const href = actionHref(node);
      const active = location.pathname === href || location.pathname.startsWith(`${href}/`);
      return (
        <NavLink key={node.identifier} component={Link} to={href} label={node.name} active={active} onClick={onPick}
          leftSection={depth === 0 ? <Icon name={node.icon} /> : undefined} data-menu={node.identifier} />
      );
    }
    return (
      <NavLink key={node.identifier} label={node.name} defaultOpened leftSection={depth === 0 ? <Icon name={node.icon} /> : undefined}
        childrenOffset={depth === 0 ? 28 : 16} data-menu={node.identifier}>
        <MenuTree nodes={node.children} depth={depth + 1} onPick={onPick} />
      </NavLink>
    );
  });
}

/** The frame of every screen after login: menus, user menu, the screen in the middle. */
export function Shell(): ReactNode {
  const [opened, { toggle, close }] = useDisclosure(false);
  const { profile, logout } = useAuth();
  const navigate = useNavigate();
  const { setColorScheme } = useMantineColorScheme();
  const colorScheme = useComputedColorScheme("light");
  const toggleColorScheme = (): void => setColorScheme(colorScheme === "dark" ? "light" : "dark");
  const menus = useQuery({ queryKey: queryKeys.menus(), queryFn: () => api.menus(), gcTime: Infinity });
  const [palette, setPalette] = useState(0);
  const openPalette = (): void => setPalette((n) => n + 1);
  useHotkeys([["mod+K", openPalette]], []);

  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 250, breakpoint: "sm", collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle the menu" />
            <UnstyledButton component={Link} to="/" aria-label="Fullfinity home">
              <Text fw={700} size="lg">Fullfinity</Text>
            </UnstyledButton>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <ActionIcon variant="subtle" onClick={openPalette} aria-label="Search menus and records (Ctrl+K)" data-testid="open-palette">
              <Search size={18} />
            </ActionIcon>
            <ActionIcon variant="subtle" onClick={toggleColorScheme} aria-label={colorScheme === "dark" ? "Use the light theme" : "Use the dark theme"}>
              {colorScheme === "dark" ? <Sun size={18} /> : <Moon size={18} />}
            </ActionIcon>
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton aria-label="User menu" data-testid="user-menu">
                  <Group gap={6} wrap="nowrap">
                    <Avatar size="sm" radius="xl" color="blue" name={profile?.name ?? ""} />
                    <Text size="sm" visibleFrom="xs">{profile?.name}</Text>
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{profile?.email}</Menu.Label>
                <Menu.Item leftSection={colorScheme === "dark" ? <Sun size={14} /> : <Moon size={14} />} onClick={toggleColorScheme}>
                  {colorScheme === "dark" ? "Light theme" : "Dark theme"}
                </Menu.Item>
                <Menu.Item leftSection={<KeyRound size={14} />} onClick={() => actionDialogs.open("core_change_password_action")}>Change password</Menu.Item>
                <Menu.Item leftSection={<LogOut size={14} />} onClick={() => void logout().then(() => navigate("/login"))}>Log out</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main menu">
        <ScrollArea>
          <MenuTree nodes={menus.data?.data ?? []} depth={0} onPick={close} />
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
        <WizardHost />
        {palette > 0 && <Palette signal={palette} />}
      </AppShell.Main>
    </AppShell>
  );
}
