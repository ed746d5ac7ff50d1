export { SearchBar } from "./SearchBar";
