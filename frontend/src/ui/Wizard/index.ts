export { WizardHost } from "./WizardHost";
