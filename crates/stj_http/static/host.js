// The host seam, Connect flavour: the only module that talks to the page's host (Jira through
// Connect's `AP`). Everything else imports these functions and never sees `AP`. Its Forge flavour
// (`forge/src/host.js`, same exports, built on @forge/bridge) replaces this file in the Custom UI
// build (`cargo xtask forge-build`), so the door lives in this seam only.

const AP = globalThis.AP;

/** True when the page runs inside a host that can authenticate us. */
export function available() {
  return Boolean(AP && AP.context && typeof AP.context.getToken === "function");
}

// Connect APIs answer by Promise (new) or by callback (old); accept both.
function ask(fn, ...args) {
  return new Promise((resolve, reject) => {
    try {
      const result = fn(...args, resolve);
      if (result && typeof result.then === "function") { result.then(resolve, reject); }
    } catch (err) { reject(err); }
  });
}

/** A fresh context token for one backend call (they expire in minutes; never stored). */
function token() {
  return ask((cb) => AP.context.getToken(cb));
}

/**
 * One call to the app's backend as the signed-in user: `body` is a JSON value (or undefined).
 * Resolves to `{status, headers: {get(name)}, text}`; rejects only when the backend could not be
 * reached. Connect: `fetch` on the app's own origin with `Authorization: JWT <context token>`.
 */
export async function request(method, path, { headers = {}, body } = {}) {
  const jwt = await token();
  const response = await fetch(path, {
    method,
    headers: {
      Authorization: `JWT ${jwt}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit",
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** `{issueKey, projectKey}` from the host's context, falling back to the page URL. */
export async function context() {
  const params = new URLSearchParams(location.search);
  let jira = {};
  // Jira puts the module's context in the URL; asking the host costs a round trip, so only
  // when the URL has none.
  if (!params.get("issueKey") && !params.get("projectKey")) {
    try { jira = ((await ask((cb) => AP.context.getContext(cb))) || {}).jira || {}; } catch { /* URL only */ }
  }
  return {
    issueKey: (jira.issue && jira.issue.key) || params.get("issueKey") || "",
    projectKey: (jira.project && jira.project.key) || params.get("projectKey") || "",
    licensed: params.get("lic") !== "none",
    hostUrl: params.get("xdm_e") || "",
  };
}

/** Follow the host's light/dark theme (sets data-color-mode on <html>). */
export function theme() {
  if (AP && AP.theming && typeof AP.theming.initializeTheming === "function") {
    AP.theming.initializeTheming();
  }
}

/** Tell the host our content size changed; without arguments the host measures the content,
 * so the frame shrinks as well as grows. */
export function resize() {
  if (AP && typeof AP.resize === "function") { AP.resize(); }
}

/** A host notification (toast): type is success | info | warning | error. */
export function flag(title, body, type = "info") {
  if (AP && AP.flag && typeof AP.flag.create === "function") {
    AP.flag.create({ title, body, type, close: type === "error" ? "manual" : "auto" });
  }
}

/** Open an issue in the host. */
export function openIssue(issueKey) {
  if (AP && AP.navigator && typeof AP.navigator.go === "function") {
    AP.navigator.go("issue", { issueKey });
  }
}

/** Ask the host to show the issue's new subtasks. */
export function refreshIssue() {
  if (AP && AP.jira && typeof AP.jira.refreshIssuePage === "function") { AP.jira.refreshIssuePage(); }
}
