export { AuthProvider, useAuth } from "./AuthProvider";
