// The template managers through the sandbox's host pages: a project admin edits the project's
// shared templates, a member only reads them, the unlicensed site gets a clear refusal, and two
// tabs editing one template end in a choice between both versions (409), never lost work.

import { test } from "node:test";
import assert from "node:assert/strict";
import { session, open, appFrame, shot, axe, HOST, DOOR } from "./lib.mjs";

const PROJECT_PAGE = "/projects/DEMO/apps/project-subtask-templates";
const PERSONAL_PAGE = "/plugins/servlet/ac/io.subtask-templates.jira/my-subtask-templates";

test("a project admin edits the shared templates; a member only reads them", async (t) => {
  const s = await session(t);
  let frame = await open(s, PROJECT_PAGE, { as: "admin" });
  await frame.click("#new-template");
  await frame.fill("#tpl-name", "Code review");
  await frame.fill("#tpl-text", "Review the change #review\nRun the tests ~30m\nMerge it");
  await frame.click("#mode-form");
  await frame.waitForSelector("#row-0-summary");
  assert.equal(await frame.inputValue("#row-2-summary"), "Merge it");
  await frame.focus("#row-2-summary");
  await s.page.keyboard.press("Alt+ArrowUp");
  assert.equal(await frame.inputValue("#row-1-summary"), "Merge it");
  await shot(s, "project-admin-form-editor");
  await axe(frame, "project-admin-form");
  await frame.click("#mode-text");
  await frame.waitForSelector("#tpl-textbox:not([hidden])");
  assert.match(await frame.inputValue("#tpl-text"), /Merge it\nRun the tests/);
  await frame.click("#tpl-save");
  await frame.waitForSelector("#template-code-review");
  await shot(s, "project-admin-saved");
  s.clean();

  frame = await open(s, PROJECT_PAGE, { as: "member" });
  await frame.waitForSelector("#template-code-review");
  assert.equal(await frame.locator("#new-template").count(), 0);
  assert.match(await frame.textContent("#body"), /Read only/);
  await shot(s, "project-member-read-only");
  await axe(frame, "project-member");
  s.clean();
});

test("the unlicensed site gets a clear refusal and nothing to write with", async (t) => {
  // Connect: the refusal is the page itself, answered 403 by design. Forge: the Custom UI loads
  // from Forge's CDN and the API's licence refusal is what it shows.
  const s = await session(t, { expect: [[403, /\/ui\/issue-glance\?.*lic=none/]] });
  await s.page.goto(`${HOST}/browse/DEMO-1?as=unlicensed&theme=light&door=${DOOR}`);
  const handle = await s.page.waitForSelector("iframe#app-frame");
  const frame = await handle.contentFrame();
  if (DOOR === "connect") {
    await frame.waitForSelector("[role=alert]");
    assert.match(await frame.textContent("body"), /[Ll]icen[cs]e/);
    assert.equal(await frame.locator("button").count(), 0);
  } else {
    // Forge has no page gate: every API call is refused (403 licence_inactive) and the view says
    // why; nothing can be created.
    await frame.waitForSelector(".message-warning");
    assert.match(await frame.textContent(".message-warning"), /[Ll]icen[cs]e/);
    assert.ok(await frame.locator("#create").isDisabled());
  }
  await shot(s, "unlicensed");
  await axe(frame, "unlicensed");
  // A refusal page loads no script, so it cannot log anything; the host page stays clean too.
  s.clean();
});

test("two tabs editing one template: the second save offers both versions", async (t) => {
  const s = await session(t);
  let first = await open(s, PERSONAL_PAGE);
  await first.click("#new-template");
  await first.fill("#tpl-name", "Onboarding");
  await first.fill("#tpl-text", "Laptop\nAccounts");
  await first.click("#tpl-save");
  await first.waitForSelector("#template-onboarding");

  const second = await s.context.newPage();
  second.on("console", (msg) => { if (msg.type() === "error") { s.problems.push(`tab 2: ${msg.text()}`); } });
  await second.goto(s.page.url());
  const secondFrame = await appFrame({ page: second });
  await secondFrame.click("#template-onboarding button:text('Edit')");
  first = await appFrame(s);
  await first.click("#template-onboarding button:text('Edit')");

  await secondFrame.fill("#tpl-text", "Laptop\nAccounts\nBadge");
  await secondFrame.click("#tpl-save");
  await secondFrame.waitForSelector("#notice .message-success");

  await first.fill("#tpl-text", "Laptop\nAccounts\nDesk");
  await first.click("#tpl-save");
  await first.waitForSelector("#conflict");
  assert.match(await first.textContent("#version-mine"), /Desk/);
  assert.match(await first.textContent("#version-current"), /Badge/);
  await shot(s, "conflict-choice");
  await axe(first, "conflict");
  await first.click("#conflict-mine");
  await first.waitForSelector("#notice .message-success");
  await first.click("#template-onboarding button:text('Edit')");
  assert.match(await first.inputValue("#tpl-text"), /Desk/);
  s.clean();
});

test("the template manager in the dark theme", async (t) => {
  const s = await session(t, { colorScheme: "dark" });
  const frame = await open(s, PERSONAL_PAGE, { theme: "dark" });
  await frame.waitForFunction(() => document.documentElement.dataset.colorMode === "dark", null, { polling: 250 });
  await frame.waitForSelector("#template-list");
  await shot(s, "dark-personal-page");
  await axe(frame, "dark-personal-page");
  await frame.click("#import-text");
  await frame.fill("#import-source", "- Write docs @me\n- Test it #qa\n  - a nested line");
  await frame.click("#import-source ~ .actions button.primary");
  await frame.waitForSelector("#import-result .message");
  await shot(s, "dark-import");
  await axe(frame, "dark-import");
  s.clean();
});
