// Pieces both views share: the page frame, section messages (states), template ids.

import { h, fill } from "./dom.js";
import * as host from "./host.js";
import { explain } from "./api.js";

/** Start a view: theme, the app root, and a host context; null when there is no host. */
export async function start(title) {
  const root = document.getElementById("app");
  host.theme();
  if (!host.available()) {
    fill(root, h("h1", {}, title), message("info", "Open this page from Jira",
      "Subtask Templates runs inside Jira: open an issue, your profile menu or a project."));
    return null;
  }
  const ctx = await host.context();
  // Tell the host our height whenever the view changes. A MutationObserver fires even while the
  // frame is scrolled out of view (the browser then skips rendering steps, so ResizeObserver
  // alone would leave the frame too short until it is seen again).
  let queued = false;
  const report = () => {
    if (queued) { return; }
    queued = true;
    setTimeout(() => { queued = false; host.resize(); }, 0);
  };
  new MutationObserver(report).observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ["hidden", "open"] });
  new ResizeObserver(report).observe(document.body);
  return { root, ctx };
}

/** An Atlassian section message: kind is info | success | warning | error. */
export function message(kind, title, detail, ...actions) {
  return h("section", { class: `message message-${kind}`, role: kind === "error" ? "alert" : "status" },
    h("h2", { class: "message-title" }, title),
    detail ? h("p", {}, detail) : null,
    actions.length ? h("div", { class: "actions" }, actions) : null);
}

/** A section message for a failed call, with "Try again" when that can help. */
export function failure(err, retry) {
  const e = explain(err);
  const kind = e.unlicensed ? "warning" : "error";
  const again = e.retry && retry ? h("button", { type: "button", onclick: retry }, "Try again") : null;
  return message(kind, e.title, e.detail, again);
}

/** A template id from its name: lower-case slug, unique among `taken`. */
export function slug(name, taken) {
  const base = (name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "template").slice(0, 56);
  let id = base;
  for (let n = 2; taken.includes(id); n += 1) { id = `${base}-${n}`; }
  return id;
}

/** "5 subtasks" */
export const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** A button that shows it is busy while `work` runs and cannot be pressed twice. */
export async function busy(button, label, work) {
  const before = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.textContent = label;
  try { return await work(); } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = before;
  }
}
