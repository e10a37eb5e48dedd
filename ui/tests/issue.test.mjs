// The issue view through the sandbox's Jira host page, in headless Chromium: a template made in
// the personal page, picked on an issue, previewed and created (60 subtasks) with progress; quick
// entry with bad lines; a failure mid-way and "retry the failed ones"; double click and reload
// during a create; "applied before"; keyboard only; dark theme. Every state is screenshotted
// and checked by axe-core, and any console error or CSP violation fails the test.

import { test } from "node:test";
import assert from "node:assert/strict";
import { session, open, appFrame, shot, axe, control, metric, HOST, APP, DOOR } from "./lib.mjs";

const LINES = Array.from({ length: 60 }, (_, i) => `Step ${i + 1} of the release #release${i % 3 === 0 ? " ~1h" : ""}`).join("\n");
let tenant = "";
const parents = {};

/** A fresh parent issue in DEMO, so each test counts its own subtasks. */
async function parent(name) {
  if (!tenant) { [tenant] = await control("GET", "/__sandbox/tenants"); }
  const issue = await control("POST", `/__sandbox/tenants/${tenant}/issues`, { project_key: "DEMO", issue_type: "Task", summary: `UI test: ${name}` });
  parents[name] = issue.key;
  return issue.key;
}

/** Subtasks on the host page's list (the host re-renders it on AP.jira.refreshIssuePage). */
async function subtaskCount(s, key) {
  await s.page.goto(`${HOST}/browse/${key}`);
  return s.page.locator("#subtask-list li").count();
}

async function pickTemplate(frame, name) {
  await frame.fill("#picker-filter", name);
  await frame.press("#picker-filter", "Enter");
  await frame.waitForSelector("#preview:not([hidden]) #preview-table");
}

async function waitForResult(frame) {
  await frame.waitForSelector("#results:not([hidden]) #result-summary", { timeout: 60000 });
  return frame.textContent("#result-summary");
}

test("a template made in the personal page", async (t) => {
  const s = await session(t);
  const frame = await open(s, "/plugins/servlet/ac/io.subtask-templates.jira/my-subtask-templates");
  await shot(s, "personal-page-empty");
  await axe(frame, "personal-empty");
  await frame.click("#new-template");
  await frame.fill("#tpl-name", "Release checklist");
  await frame.fill("#tpl-description", "Everything a release needs");
  await frame.fill("#tpl-text", LINES);
  await shot(s, "personal-page-editing");
  await axe(frame, "personal-editing");
  await frame.click("#tpl-save");
  await frame.waitForSelector("#template-release-checklist");
  assert.match(await frame.textContent("#template-release-checklist"), /60 subtasks/);
  await shot(s, "personal-page-saved");
  s.clean();
});

test("pick, preview and create 60 subtasks with progress and links", async (t) => {
  const key = await parent("create");
  const s = await session(t);
  const assets = [];
  s.page.on("response", async (res) => {
    if (res.url().startsWith(APP)) { assets.push(res); }
  });
  await open(s, `/browse/${key}`);
  let frame = await appFrame(s);
  await frame.waitForSelector("#picker-list [role=option]");
  const first = await frame.evaluate(() => Number(document.body.dataset.readyAt));
  metric("issue module: iframe load to interactive picker, first load", Math.round(first), "ms");
  // Through the Forge door Forge's CDN serves the front end, not the app.
  if (DOOR === "connect") {
    let bytes = 0;
    for (const res of assets) {
      const sizes = await res.request().sizes();
      bytes += sizes.responseBodySize + sizes.responseHeadersSize;
    }
    metric("issue module: first load transfer from the app (gzip, all.js excluded)", bytes, "bytes");
    assert.ok(bytes <= 100 * 1024, `first load transferred ${bytes} bytes`);
  }
  // One load is noisy on a shared machine: the median of five more (warm browser cache, as a
  // user opening issue after issue has it).
  const times = [];
  for (let i = 0; i < 5; i += 1) {
    await s.page.reload();
    const again = await appFrame(s);
    await again.waitForSelector("#picker-list [role=option]");
    times.push(await again.evaluate(() => Number(document.body.dataset.readyAt)));
  }
  times.sort((a, b) => a - b);
  metric("issue module: iframe load to interactive picker, median of 5 reloads", Math.round(times[2]), "ms");
  frame = await appFrame(s);
  await shot(s, "issue-picker");
  await axe(frame, "issue-picker");

  await pickTemplate(frame, "Release");
  assert.equal(await frame.locator("#preview-table tbody tr").count(), 60);
  assert.match(await frame.textContent("#create"), /Create 60 subtasks/);
  await shot(s, "issue-preview");
  await axe(frame, "issue-preview");

  // Slow Jira down so the progress is visible.
  await control("POST", "/__sandbox/faults", { route: "POST /rest/api/3/issue/bulk", fault: { type: "latency", ms: 1500 }, times: 2 });
  await frame.click("#create");
  await frame.waitForSelector("#progress:not([hidden]) #progress-bar");
  await frame.waitForFunction(() => /Creating: \d+ of 60/.test(document.querySelector("#progress-text")?.textContent || ""), null, { timeout: 10000, polling: 250 });
  await shot(s, "issue-progress");
  assert.match(await waitForResult(frame), /60 created/);
  assert.equal(await frame.locator("#result-list a.issue-key").count(), 60);
  await shot(s, "issue-created");
  await axe(frame, "issue-created");
  s.clean();
  assert.equal(await subtaskCount(s, key), 60);
});

test("quick entry shows both bad lines at their source lines", async (t) => {
  const key = await parent("quick");
  const s = await session(t);
  const frame = await open(s, `/browse/${key}`);
  await frame.click("#tab-quick");
  await frame.fill("#quick-entry", "A good line\n  with a description\nBad estimate ~abc\n\nAlso fine\nBad priority due:+zz");
  await frame.waitForSelector("#quick-entry-problems li");
  const lines = await frame.$$eval("#quick-entry-problems li", (items) => items.map((li) => li.dataset.line));
  assert.deepEqual(lines, ["3", "6"]);
  assert.equal(await frame.getAttribute("#quick-entry", "aria-invalid"), "true");
  assert.deepEqual(await frame.$$eval(".gutter .bad", (els) => els.map((e) => e.textContent)), ["3", "6"]);
  await shot(s, "quick-entry-errors");
  await axe(frame, "quick-entry-errors");
  await frame.fill("#quick-entry", "A good line\n  with a description\nFixed ~2h\n\nAlso fine\nDue soon due:+2d");
  await frame.waitForSelector("#preview:not([hidden]) #preview-table");
  assert.equal(await frame.locator("#preview-table tbody tr").count(), 4);
  s.clean();
});

test("a failure mid-way, then retry the failed ones, gives exactly 60", async (t) => {
  const key = await parent("retry");
  const s = await session(t);
  const frame = await open(s, `/browse/${key}`);
  await pickTemplate(frame, "Release");
  // The first bulk call goes through; every later one fails (the app recovers and retries a
  // bounded number of times, then reports what is missing).
  await control("DELETE", "/__sandbox/faults");
  await control("POST", "/__sandbox/faults", { route: "POST /rest/api/3/issue/bulk", fault: { type: "latency", ms: 0 }, times: 1 });
  await control("POST", "/__sandbox/faults", { route: "POST /rest/api/3/issue/bulk", fault: { type: "status", status: 500 } });
  await frame.click("#create");
  assert.match(await waitForResult(frame), /50 created, 10 not created yet/);
  await frame.waitForSelector("#retry");
  await shot(s, "issue-partial");
  await axe(frame, "issue-partial");
  await control("DELETE", "/__sandbox/faults");
  await frame.click("#retry");
  await frame.waitForFunction(() => {
    const text = document.querySelector("#results:not([hidden]) #result-summary")?.textContent || "";
    return text && !/not created yet|rejected/.test(text);
  }, null, { timeout: 20000, polling: 250 });
  assert.match(await frame.textContent("#result-summary"), /10 created/);
  await shot(s, "issue-retried");
  s.clean();
  assert.equal(await subtaskCount(s, key), 60);
});

test("a double click and a reload during a create never duplicate", async (t) => {
  const key = await parent("double");
  const s = await session(t);
  let frame = await open(s, `/browse/${key}`);
  await pickTemplate(frame, "Release");
  await control("POST", "/__sandbox/faults", { route: "POST /rest/api/3/issue/bulk", fault: { type: "latency", ms: 2000 }, times: 2 });
  await frame.dblclick("#create");
  await frame.waitForSelector("#progress:not([hidden])");
  await s.page.reload();
  frame = await appFrame(s);
  assert.match(await waitForResult(frame), /60|already there/);
  await shot(s, "issue-resumed-after-reload");
  s.clean();
  assert.equal(await subtaskCount(s, key), 60);
});

test("the same click sent twice at once (a network retry) creates once", async (t) => {
  const key = await parent("resend");
  const s = await session(t);
  const frame = await open(s, `/browse/${key}`);
  await control("POST", "/__sandbox/faults", { route: "POST /rest/api/3/issue/bulk", fault: { type: "latency", ms: 800 }, times: 1 });
  const reports = await frame.evaluate(async (issueKey) => {
    // Through the page's own host seam (whichever door): the module instance the view uses.
    const entry = document.querySelector("script[type=module]").src;
    const host = await import(new URL("host.js", entry).href);
    const idempotencyKey = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
    const send = async () => {
      const res = await host.request("POST", `/api/v1/issues/${issueKey}/subtasks`, {
        headers: { "Idempotency-Key": idempotencyKey },
        body: { quickEntry: "One\nTwo\nThree\nFour\nFive" },
      });
      return JSON.parse(res.text);
    };
    return Promise.all([send(), send()]);
  }, key);
  assert.equal(reports[0].created + reports[1].created, 5, JSON.stringify(reports));
  assert.deepEqual(reports[0].items.map((i) => i.key), reports[1].items.map((i) => i.key));
  s.clean();
  assert.equal(await subtaskCount(s, key), 5);
});

test("applying again says so and offers all or only the missing ones", async (t) => {
  const key = await parent("again");
  const s = await session(t);
  let frame = await open(s, `/browse/${key}`);
  await pickTemplate(frame, "Release");
  await frame.click("#create");
  assert.match(await waitForResult(frame), /60 created/);
  const keys = await frame.$$eval("#result-list a.issue-key", (as) => as.slice(0, 2).map((a) => a.textContent));
  for (const k of keys) { await control("DELETE", `/__sandbox/tenants/${tenant}/issues/${k}`); }
  frame = await open(s, `/browse/${key}`);
  await pickTemplate(frame, "Release");
  await frame.waitForSelector("#previous");
  assert.match(await frame.textContent("#previous"), /60 created, 2 since deleted/);
  assert.match(await frame.textContent("#create"), /Create 2 subtasks/);
  await shot(s, "issue-applied-before");
  await axe(frame, "issue-applied-before");
  await frame.click("#create");
  assert.match(await waitForResult(frame), /2 created/);
  s.clean();
  assert.equal(await subtaskCount(s, key), 60);
});

test("the whole issue flow by keyboard alone", async (t) => {
  const key = await parent("keyboard");
  const s = await session(t);
  const frame = await open(s, `/browse/${key}`);
  await frame.waitForSelector("#picker-filter");
  await frame.focus("#picker-filter");
  await s.page.keyboard.type("release");
  await s.page.keyboard.press("ArrowDown");
  await s.page.keyboard.press("ArrowUp");
  await s.page.keyboard.press("Enter");
  await frame.waitForSelector("#preview:not([hidden]) #preview-table");
  // Tab from the picker to the Create button.
  for (let i = 0; i < 10 && !(await frame.evaluate(() => document.activeElement?.id === "create")); i += 1) {
    await s.page.keyboard.press("Tab");
  }
  assert.equal(await frame.evaluate(() => document.activeElement?.id), "create");
  await shot(s, "keyboard-focus-on-create");
  await s.page.keyboard.press("Enter");
  assert.match(await waitForResult(frame), /60 created/);
  s.clean();
});

test("dark theme follows the host", async (t) => {
  const key = await parent("dark");
  const s = await session(t, { colorScheme: "dark" });
  const frame = await open(s, `/browse/${key}`, { theme: "dark" });
  await frame.waitForFunction(() => document.documentElement.dataset.colorMode === "dark", null, { polling: 250 });
  await frame.waitForSelector("#picker-list [role=option]");
  const bg = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(bg, "rgb(255, 255, 255)");
  await shot(s, "dark-issue-picker");
  await axe(frame, "dark-issue-picker");
  await pickTemplate(frame, "Release");
  await shot(s, "dark-issue-preview");
  await axe(frame, "dark-issue-preview");
  await frame.click("#tab-quick");
  await frame.fill("#quick-entry", "Good\nBad ~zz");
  await frame.waitForSelector("#quick-entry-problems li");
  await shot(s, "dark-quick-entry-errors");
  await axe(frame, "dark-quick-entry-errors");
  s.clean();
});
