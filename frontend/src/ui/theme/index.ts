export { theme } from "./theme";
