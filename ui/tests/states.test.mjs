// The states around the main flows: first run (no templates), Jira unreachable and back, a
// template duplicated, deleted and restored with Undo, exported as a file, and an issue's
// subtasks saved as a new template.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { session, open, appFrame, shot, axe, control } from "./lib.mjs";

const PERSONAL_PAGE = "/plugins/servlet/ac/io.subtask-templates.jira/my-subtask-templates";

test("first run: no templates anywhere, an example to try", async (t) => {
  const s = await session(t);
  // The member has no personal templates, and TEAM has no shared ones.
  const frame = await open(s, "/browse/TEAM-1", { as: "member" });
  await frame.waitForSelector("#try-example");
  await shot(s, "first-run");
  await axe(frame, "first-run");
  await frame.click("#try-example");
  await frame.waitForSelector("#preview:not([hidden]) #preview-table");
  assert.ok((await frame.locator("#preview-table tbody tr").count()) >= 3);
  await shot(s, "first-run-example-preview");
  s.clean();
});

test("Jira unreachable: a clear message, and it recovers on Try again", async (t) => {
  // Jira's 503s reach the app's API as 503 jira_unavailable, which the view shows and retries.
  const s = await session(t, { expect: [[503, /\/api\/v1\/templates\?/]] });
  await control("POST", "/__sandbox/faults", { route: "* /rest/api/3/*", fault: { type: "status", status: 503 } });
  let frame;
  try {
    frame = await open(s, "/browse/DEMO-1");
    await frame.waitForSelector("#panel-template [role=alert]", { timeout: 30000 });
    assert.match(await frame.textContent("#panel-template"), /Jira is not answering/);
    await shot(s, "jira-unreachable");
    await axe(frame, "jira-unreachable");
  } finally {
    await control("DELETE", "/__sandbox/faults");
  }
  await frame.click("#panel-template button:text('Try again')");
  // Back: the picker, or the first-run help when this site has no templates yet.
  await frame.waitForSelector("#picker-list [role=option], #try-example");
  s.clean();
});

test("duplicate, delete with undo, and export a template", async (t) => {
  const s = await session(t);
  const frame = await open(s, PERSONAL_PAGE);
  await frame.click("#new-template");
  await frame.fill("#tpl-name", "Offboarding");
  await frame.fill("#tpl-text", "Return the laptop\nClose accounts #it");
  await frame.click("#tpl-save");
  await frame.waitForSelector("#template-offboarding");

  await frame.click("#template-offboarding button:text('Duplicate')");
  await frame.waitForSelector("#template-offboarding-copy");
  assert.match(await frame.textContent("#template-offboarding-copy"), /Offboarding \(copy\)/);

  await frame.click("#template-offboarding-copy button:text('Delete')");
  await frame.waitForSelector("#undo-delete");
  assert.equal(await frame.locator("#template-offboarding-copy").count(), 0);
  await shot(s, "deleted-with-undo");
  await axe(frame, "deleted-with-undo");
  await frame.click("#undo-delete");
  await frame.waitForSelector("#template-offboarding-copy");

  const [download] = await Promise.all([
    s.page.waitForEvent("download"),
    frame.click("#template-offboarding button:text('Export')"),
  ]);
  assert.equal(download.suggestedFilename(), "offboarding.txt");
  const text = await readFile(await download.path(), "utf8");
  assert.equal(text, "Return the laptop\nClose accounts #it\n");
  s.clean();
});

test("an issue's subtasks saved as a template", async (t) => {
  const s = await session(t);
  const [tenant] = await control("GET", "/__sandbox/tenants");
  const parent = await control("POST", `/__sandbox/tenants/${tenant}/issues`, { project_key: "DEMO", issue_type: "Task", summary: "Has subtasks" });
  for (const summary of ["Design", "Build", "Ship"]) {
    await control("POST", `/__sandbox/tenants/${tenant}/issues`, { project_key: "DEMO", issue_type: "Sub-task", summary, parent: parent.key });
  }
  const frame = await open(s, `/browse/${parent.key}`);
  await frame.click("#save-as-template");
  await frame.waitForSelector("#template-name");
  await frame.fill("#template-name", "Design build ship");
  await shot(s, "save-as-template");
  await axe(frame, "save-as-template");
  await frame.click("#save-template button[type=submit]");
  await frame.waitForSelector("#save-template .message-success");
  await frame.waitForSelector("#option-personal-design-build-ship");
  const manager = await open(s, PERSONAL_PAGE);
  assert.match(await manager.textContent("#template-design-build-ship"), /3 subtasks/);
  s.clean();
});
