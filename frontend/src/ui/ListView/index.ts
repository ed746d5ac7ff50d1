export { ListView, actionFilter } from "./ListView";
