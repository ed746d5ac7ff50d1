export { Shell } from "./Shell";
export { Icon } from "./icons";
