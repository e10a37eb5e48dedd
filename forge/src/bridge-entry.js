export { invokeRemote, router, showFlag, view } from "@forge/bridge";
