export { FormView } from "./FormView";
export { runButton, performClientAction } from "./buttons";
export { writeValues } from "./values";
