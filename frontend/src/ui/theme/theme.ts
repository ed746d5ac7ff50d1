import { createTheme } from "@mantine/core";

export const theme = createTheme({
  primaryColor: "blue",
  // Shade 8 in the light scheme keeps links and filled buttons above 4.5:1 contrast (axe-core).
  primaryShade: { light: 8, dark: 6 },
  defaultRadius: "sm",
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
  focusRing: "auto",
});
