export { matches, casefold } from "./evaluate";
export { parseQ, combine, splitKey } from "./parse";
export * from "./types";
