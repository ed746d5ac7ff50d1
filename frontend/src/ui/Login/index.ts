export { Login } from "./Login";
