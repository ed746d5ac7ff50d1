export { App } from "./App";
