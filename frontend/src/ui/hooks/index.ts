export { useAction, useMeta, useView } from "./useViews";
