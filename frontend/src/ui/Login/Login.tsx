import { Alert, Anchor, Button, Center, Paper, PasswordInput, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { useState, type FormEvent, type ReactNode } from "react";
import { Navigate, useSearchParams } from "react-router";
import { api } from "../../core/api/http";
import { ApiError, errorMessage } from "../../core/api/errors";
import { session } from "../../core/auth/session";
import { useAuth } from "../auth";

/** Email and password; a database selector when the server lists its tenants (security.md 9). */
export function Login(): ReactNode {
  const { loggedIn, login } = useAuth();
  const [params] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [tenant, setTenant] = useState<string | null>(session.tenant());
  const [tenants, setTenants] = useState<{ value: string; label: string }[] | null>(null);
  const [askTenant, setAskTenant] = useState(Boolean(session.tenant()));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (loggedIn) return <Navigate to={params.get("next") || "/"} replace />;

  const chooseTenant = async (): Promise<void> => {
    setAskTenant(true);
    try {
      const list = await api.tenants();
      setTenants(list.data.map((t) => ({ value: t.name, label: t.label || t.name })));
    } catch {
      setTenants(null); // the server does not list its tenants: type the name
    }
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(email, password, askTenant ? tenant || null : session.tenant());
    } catch (e) {
      if (e instanceof ApiError && e.status === 429) {
        setError(`Too many attempts. Try again in ${e.retryAfter ?? 60} seconds.`);
      } else if (e instanceof ApiError && e.type === "TenantNotFound") {
        setError("No database was found for this address: choose the database to sign in to.");
        void chooseTenant();
      } else {
        setError(errorMessage(e));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={400} radius="md">
        <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
          <Stack>
            <div>
              <Title order={1} size="h2">Fullfinity</Title>
              <Text c="dimmed" size="sm">Sign in to continue</Text>
            </div>
            {error && <Alert color="red" role="alert" title="Could not sign in">{error}</Alert>}
            {askTenant && (tenants ? (
              <Select label="Database" data={tenants} value={tenant} onChange={setTenant} allowDeselect={false} required />
            ) : (
              <TextInput label="Database" value={tenant ?? ""} onChange={(e) => setTenant(e.currentTarget.value)} required />
            ))}
            <TextInput label="Email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.currentTarget.value)} required autoFocus />
            <PasswordInput label="Password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} required />
            <Button type="submit" loading={busy} fullWidth>Sign in</Button>
            {!askTenant && <Anchor component="button" type="button" size="sm" onClick={() => void chooseTenant()}>Choose a database</Anchor>}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
