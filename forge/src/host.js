// The host seam, Forge flavour: the same exports as the Connect flavour
// (crates/stj_http/static/host.js), built on Atlassian's pinned @forge/bridge (bundled as
// ./forge-bridge.js by `cargo xtask forge-build`). It replaces host.js in the Custom UI build;
// nothing else in the front end knows which door it runs behind. The backend is reached only
// through `invokeRemote`: Forge adds a fresh invocation token (and the user's token) to each call.

import { invokeRemote, router, showFlag, view } from "./forge-bridge.js";

/** True when the page runs inside a host that can authenticate us (Forge injects `__bridge`). */
export function available() {
  return Boolean(globalThis.__bridge && typeof globalThis.__bridge.callBridge === "function");
}

/**
 * One call to the app's backend as the signed-in user: `body` is a JSON value (or undefined).
 * Resolves to `{status, headers: {get(name)}, text}`; rejects only when the backend could not be
 * reached. Forge: `invokeRemote` through the module's `stj-api` endpoint (manifest.yml).
 */
export async function request(method, path, { headers = {}, body } = {}) {
  const response = await invokeRemote({ path, method, headers, ...(body === undefined ? {} : { body }) });
  if (!response || typeof response.status !== "number") {
    throw new Error("the Forge platform did not answer the invocation");
  }
  const found = Object.fromEntries(
    Object.entries(response.headers || {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
  const text = response.body === undefined || response.body === null ? "" : JSON.stringify(response.body);
  return { status: response.status, headers: { get: (name) => found[String(name).toLowerCase()] ?? null }, text };
}

let contextOnce = null;

/** `{issueKey, projectKey, licensed, hostUrl}` from Forge's module context (asked once). */
export function context() {
  contextOnce = contextOnce || view.getContext().then((ctx) => {
    const extension = (ctx && ctx.extension) || {};
    return {
      issueKey: (extension.issue && extension.issue.key) || "",
      projectKey: (extension.project && extension.project.key) || "",
      // Forge omits `license` for free apps and in development installations.
      licensed: !(ctx && ctx.license && ctx.license.isActive === false),
      hostUrl: (ctx && ctx.siteUrl) || "",
    };
  });
  return contextOnce;
}

/** Follow the host's light/dark theme (Forge sets data-color-mode on <html>). */
export function theme() {
  view.theme.enable().catch((e) => console.warn(`theming: ${e.message}`));
}

/** Forge sizes Custom UI frames itself; nothing to report. */
export function resize() {}

let nextFlag = 1;

/** A host notification (toast): type is success | info | warning | error. */
export function flag(title, body, type = "info") {
  showFlag({ id: `stj-${nextFlag++}`, title, description: body, type, isAutoDismiss: type !== "error" });
}

/** Open an issue in the host. */
export function openIssue(issueKey) {
  router.navigate({ target: "issue", issueKey }).catch((e) => console.warn(`navigate: ${e.message}`));
}

/** Ask the host to show the issue's new subtasks. */
export function refreshIssue() {
  view.refresh().catch((e) => console.warn(`refresh: ${e.message}`));
}
