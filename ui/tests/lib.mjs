// Shared helpers of the browser tests: Chromium through playwright-core, the sandbox's Jira
// host pages through one door (STJ_UI_DOOR: `cargo xtask ui` runs every suite once per door),
// the app's iframe, screenshots in light and dark, axe-core in every state, and a guard that
// fails the run on any console error, page error or CSP violation.

import { chromium } from "playwright-core";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, join } from "node:path";
import assert from "node:assert/strict";

export const HOST = process.env.STJ_UI_HOST_URL || "http://127.0.0.1:8081";
export const APP = process.env.STJ_UI_APP_URL || "http://127.0.0.1:8080";
export const OUT = process.env.STJ_UI_OUT || "../target/ui";
/** Which front door the host pages use: `connect` (iframes at the app) or `forge` (Custom UI). */
export const DOOR = process.env.STJ_UI_DOOR || "connect";
const EXECUTABLE = process.env.STJ_CHROMIUM || "/usr/bin/chromium";
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
mkdirSync(OUT, { recursive: true });

// As the machine's probe starts it: no background networking (the machine has no internet).
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let shotCounter = 0;

/** A browser session; `problems` collects console errors, page errors and CSP violations. */
export async function session(t, { colorScheme = "light", expect = [] } = {}) {
  const browser = await chromium.launch({ executablePath: EXECUTABLE, args: ARGS, headless: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  // The app answers some calls with a 4xx by design, and shows it: a preview of bad lines (400
  // subtasks_invalid), progress asked for before the create began (404), a stale save (409).
  // Chromium logs each as "Failed to load resource"; those, and only those, are not problems.
  const handled = new Set();
  page.on("response", (res) => {
    const designed = expect.some(([status, re]) => status === res.status() && re.test(res.url()));
    if (designed || isHandled(res.url(), res.status())) { handled.add(res.url()); }
  });
  page.on("console", (msg) => {
    if (msg.type() !== "error") { return; }
    if (/^Failed to load resource/.test(msg.text()) && handled.has(msg.location().url)) { return; }
    problems.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  t.after(async () => {
    // Whatever the outcome, the last state is on disk to look at.
    await page.screenshot({ path: join(OUT, `${DOOR}-last-${t.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}.png`), fullPage: true }).catch(() => {});
    await browser.close();
  });
  return {
    browser, context, page, problems,
    /** Fails when anything went wrong in the console so far. */
    clean() { assert.deepEqual(problems, [], "console errors or CSP violations"); },
  };
}

const EXPECTED = [
  [400, /\/api\/v1\/(issues\/[^/]+\/subtasks\/preview|quick-entry\/(check|format|import))$/],
  [404, /\/api\/v1\/issues\/[^/]+\/applications\/[0-9a-f]{32}$/],
  [409, /\/api\/v1\/templates\?/],
  // Jira stopped answering part-way: the report comes with the 503 and the view offers a retry.
  [503, /\/api\/v1\/issues\/[^/]+\/subtasks$/],
];

function isHandled(url, status) {
  return url.startsWith(APP) && EXPECTED.some(([s, re]) => s === status && re.test(url));
}

/** Opens a host page (`/browse/DEMO-1`, …) as `as` (admin | member | unlicensed) in `theme`. */
export async function open(s, path, { as = "admin", theme = "light" } = {}) {
  const sep = path.includes("?") ? "&" : "?";
  await s.page.goto(`${HOST}${path}${sep}as=${as}&theme=${theme}&door=${DOOR}`);
  return appFrame(s);
}

/** The app's iframe, once its module has rendered. */
export async function appFrame(s) {
  const handle = await s.page.waitForSelector("iframe#app-frame", { timeout: 15000 });
  const frame = await handle.contentFrame();
  await frame.waitForSelector("#app:not(:has(> .loading))", { timeout: 15000 });
  return frame;
}

/** A screenshot of the whole host page: target/ui/NN-name.png */
export async function shot(s, name) {
  shotCounter += 1;
  const suite = basename(process.argv[1] || "ui", ".test.mjs");
  const file = join(OUT, `${DOOR}-${suite}-${String(shotCounter).padStart(2, "0")}-${name}.png`);
  await s.page.screenshot({ path: file, fullPage: true });
  return file;
}

/** axe-core inside the app's frame: no serious or critical violation. */
export async function axe(frame, state) {
  if (!(await frame.evaluate(() => Boolean(globalThis.axe)))) { await frame.evaluate(AXE); }
  const result = await frame.evaluate(async () => {
    const r = await globalThis.axe.run(document, { resultTypes: ["violations"], runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  const serious = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  writeFileSync(join(OUT, `axe-${DOOR}-${state}.json`), JSON.stringify(result, null, 2));
  assert.deepEqual(serious, [], `axe (${state}): ${JSON.stringify(serious, null, 2)}`);
}

/** Sandbox control API: faults, counts, resets. */
export async function control(method, path, body) {
  const res = await fetch(`${HOST}${path}`, { method, headers: { "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (!res.ok) { throw new Error(`${method} ${path}: ${res.status} ${text}`); }
  return text ? JSON.parse(text) : null;
}

/** Appends a measured figure to target/ui/metrics.json. */
export function metric(name, value, unit) {
  const file = join(OUT, "metrics.json");
  let all = {};
  try { all = JSON.parse(readFileSync(file, "utf8")); } catch { all = {}; }
  all[`${DOOR} door: ${name}`] = { value, unit };
  writeFileSync(file, JSON.stringify(all, null, 2));
  console.log(`metric (${DOOR} door) ${name}: ${value} ${unit}`);
}
