import { startServer, stopServer } from "./server";

export default async function globalSetup(): Promise<() => Promise<void>> {
  const child = await startServer();
  return () => stopServer(child);
}
