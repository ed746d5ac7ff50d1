import { ColorSchemeScript, localStorageColorSchemeManager, MantineProvider } from "@mantine/core";
import { ModalsProvider } from "@mantine/modals";
import { Notifications, notifications } from "@mantine/notifications";
import { QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation } from "react-router";
import { errorMessage } from "../../core/api/errors";
import { backgroundErrors, queryClient } from "../../core/query/client";
import { ActionScreen, RecordScreen } from "../ActionScreen";
import { AuthProvider, useAuth } from "../auth";
import { Loading } from "../Loading";
import { Shell } from "../Shell";
import { theme } from "../theme";
import "../widgets";
import "./views";
import { RecordDialogs } from "./RecordDialogs";
import { lazyComponent } from "../lazyComponent";

// Screens that are not the working screen of a logged-in user load on demand.
const Login = lazyComponent(() => import("../Login/Login").then((m) => m.Login));
// Shown when a screen throws while drawing (rare: a chunk of its own).
const ScreenError = lazyComponent(() => import("./ScreenError").then((m) => m.ScreenError));
const Home = lazyComponent(() => import("../Home/Home").then((m) => m.Home));

// A refresh of what is on screen failed (the server went away, rights changed): say so once.
backgroundErrors.subscribe((error) => {
  notifications.show({ id: "background-error", color: "red", title: "Could not refresh the screen", message: errorMessage(error) });
});

const colorSchemeManager = localStorageColorSchemeManager({ key: "fullfinity.color-scheme" });

function RequireLogin(): ReactNode {
  const { loggedIn } = useAuth();
  const location = useLocation();
  if (!loggedIn) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <RecordDialogs><Outlet /></RecordDialogs>;
}

function Root(): ReactNode {
  return (
    <AuthProvider>
      <Loading />
      <Outlet />
    </AuthProvider>
  );
}

const router = createBrowserRouter([
  {
    element: <Root />,
    errorElement: <ScreenError />,
    children: [
      { path: "/login", element: <Login /> },
      {
        element: <RequireLogin />,
        children: [
          {
            element: <Shell />,
            children: [
              {
                // A screen that throws while drawing shows ScreenError inside the shell.
                errorElement: <ScreenError />,
                children: [
                  { path: "/", element: <Home /> },
                  { path: "/action/:action", element: <ActionScreen /> },
                  { path: "/action/:action/:id", element: <ActionScreen /> },
                  { path: "/model/:model/:id", element: <RecordScreen /> },
                  { path: "*", element: <Navigate to="/" replace /> },
                ],
              },
            ],
          },
        ],
      },
    ],
  },
]);

export function App(): ReactNode {
  return (
    <>
      <ColorSchemeScript defaultColorScheme="auto" />
      <MantineProvider theme={theme} defaultColorScheme="auto" colorSchemeManager={colorSchemeManager}>
        <QueryClientProvider client={queryClient}>
          <ModalsProvider>
            <Notifications position="top-right" />
            <RouterProvider router={router} />
          </ModalsProvider>
        </QueryClientProvider>
      </MantineProvider>
    </>
  );
}
