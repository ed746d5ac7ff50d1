export { Loading } from "./Loading";
