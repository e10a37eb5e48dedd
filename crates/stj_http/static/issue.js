// The issue view: pick a template (or type quick entry), preview exactly what will be created,
// create it with visible progress, and see each result. One click is one application: its
// idempotency key is kept until the application is complete, so a retry, a double click or a
// reload during a create never creates twice.

import { h, fill, debounce, newKey, today, sleep } from "./dom.js";
import { call, ApiError } from "./api.js";
import * as host from "./host.js";
import { start, message, failure, plural, busy, slug } from "./ui.js";
import { picker } from "./picker.js";
import { previewTable, resultList } from "./tables.js";
import { quickEditor } from "./quick.js";

const POLL_MS = 300;
const EXAMPLE = "Write the release notes @me ~2h due:+2d\nReview the notes #docs\n  Check names and links\nDeploy to production !High\nAnnounce the release #comms";

const view = await start("Subtask templates");
if (view) { await issueView(view.root, view.ctx); }

async function issueView(root, ctx) {
  if (!/^[A-Z][A-Z0-9_]{1,9}-[1-9][0-9]*$/.test(ctx.issueKey)) {
    fill(root, h("h1", {}, "Subtask templates"), message("info", "No issue here", "Open this panel from an issue."));
    return;
  }
  const base = `/api/v1/issues/${encodeURIComponent(ctx.issueKey)}`;
  const pendingKey = `stj.pending.${ctx.issueKey}`;
  const state = { source: null, preview: null, typeId: "", choice: "all", last: null };

  const notice = h("div", { id: "notice" });
  const tabs = tabBar();
  const templatePanel = h("section", { id: "panel-template", role: "tabpanel", "aria-labelledby": "tab-template" });
  const quickPanel = h("section", { id: "panel-quick", role: "tabpanel", "aria-labelledby": "tab-quick", hidden: true });
  const previewBox = h("section", { id: "preview", "aria-labelledby": "preview-title", hidden: true });
  const createButton = h("button", { type: "button", id: "create", class: "primary", disabled: true, onclick: () => create() }, "Create subtasks");
  const saveAsButton = h("button", { type: "button", id: "save-as-template", class: "subtle", onclick: () => saveAsTemplate() }, "Save this issue's subtasks as a template");
  const progress = h("section", { id: "progress", hidden: true, "aria-label": "Progress" });
  const results = h("section", { id: "results", hidden: true, "aria-labelledby": "results-title" });
  const saveBox = h("section", { id: "save-template", hidden: true, "aria-label": "Save as template" });
  fill(root,
    // Jira's panel already shows the module's name; the heading stays for screen readers.
    h("h1", { class: "visually-hidden" }, "Subtask templates"),
    notice, tabs.el, templatePanel, quickPanel, previewBox,
    h("div", { class: "actions" }, createButton, saveAsButton),
    progress, results, saveBox);

  const editor = quickEditor({ id: "quick-entry", onChange: debounce(() => previewQuick(), 400) });
  fill(quickPanel, editor.el);

  tabs.onSelect((tab) => {
    templatePanel.hidden = tab !== "template";
    quickPanel.hidden = tab !== "quick";
    clearPreview();
    if (tab === "quick" && editor.value().trim()) { previewQuick(); }
  });

  await loadTemplates();
  await resumePending();

  // ---- templates -------------------------------------------------------------------------
  async function loadTemplates() {
    fill(templatePanel, h("p", { class: "loading", role: "status" }, "Loading templates…"));
    try {
      const [personal, project] = await Promise.all([
        call("GET", "/api/v1/templates?scope=personal"),
        ctx.projectKey ? call("GET", `/api/v1/templates?scope=project&project=${encodeURIComponent(ctx.projectKey)}`) : null,
      ]);
      const groups = [
        { label: "My templates", scope: "personal", templates: personal.templates },
        ...(project ? [{ label: `${ctx.projectKey} templates`, scope: "project", project: ctx.projectKey, templates: project.templates }] : []),
      ];
      if (groups.every((g) => g.templates.length === 0)) {
        fill(templatePanel, message("info", "No templates yet",
          "Templates you create in “My subtask templates” (your profile menu) or in the project's page appear here. Or try one now:",
          h("button", { type: "button", id: "try-example", onclick: () => { tabs.select("quick"); editor.set(EXAMPLE); previewQuick(); } }, "Try an example")));
        ready("empty");
        return;
      }
      fill(templatePanel, picker({ groups, onPick: (group, template) => previewTemplate(group, template) }).el);
      ready("picker");
    } catch (err) {
      fill(templatePanel, failure(err, loadTemplates));
    }
  }

  // ---- preview ---------------------------------------------------------------------------
  function body(extra = {}) {
    const source = state.source;
    const b = source.kind === "template"
      ? { template: { scope: source.scope, ...(source.project ? { project: source.project } : {}), id: source.id } }
      : { quickEntry: source.text };
    return { ...b, today: today(), ...(state.typeId ? { subtaskTypeId: state.typeId } : {}), ...extra };
  }

  function clearPreview() {
    state.preview = null;
    previewBox.hidden = true;
    createButton.disabled = true;
    createButton.textContent = "Create subtasks";
    editor.showProblems([]);
  }

  async function previewTemplate(group, template) {
    state.source = { kind: "template", scope: group.scope, project: group.project, id: template.id, name: template.name };
    state.typeId = "";
    await runPreview();
  }

  async function previewQuick() {
    const text = editor.value();
    if (!text.trim()) { clearPreview(); return; }
    state.source = { kind: "quick", text };
    await runPreview();
  }

  async function runPreview() {
    const asked = state.source;
    fill(notice);
    try {
      const preview = await call("POST", `${base}/subtasks/preview`, body());
      if (state.source !== asked) { return; } // a newer edit is on its way
      state.preview = preview;
      state.choice = (preview.previous || []).some((p) => p.deleted > 0) ? "missing" : "all";
      editor.showProblems([]);
      renderPreview();
    } catch (err) {
      if (state.source !== asked) { return; }
      state.preview = null;
      previewBox.hidden = true;
      createButton.disabled = true;
      if (err instanceof ApiError && err.code === "subtasks_invalid" && asked.kind === "quick") {
        editor.showProblems(err.problems);
      } else if (err instanceof ApiError && err.code === "subtasks_invalid") {
        fill(notice, message("error", `“${asked.name}” does not fit this issue`, null,
          h("ul", {}, err.problems.map((p) => h("li", {}, p.line ? `Line ${p.line}: ${p.message}` : p.message)))));
      } else {
        fill(notice, failure(err, runPreview));
      }
    }
  }

  function renderPreview() {
    const p = state.preview;
    const n = p.subtasks.length;
    const types = p.subtaskTypes || [];
    const typeSelect = types.length > 1 ? h("label", { class: "inline-field" }, "Subtask type ",
      h("select", { id: "subtask-type", onchange: (e) => { state.typeId = e.target.value; runPreview(); } },
        types.map((t) => h("option", { value: t.id, selected: t.id === (state.typeId || p.defaultSubtaskTypeId) }, t.name)))) : null;
    fill(previewBox,
      h("h2", { id: "preview-title" }, `Preview: ${plural(n, "subtask")} on ${p.parentKey}`),
      previousChoice(p.previous || []),
      typeSelect,
      previewTable(p.subtasks));
    previewBox.hidden = false;
    updateCreateLabel();
  }

  function previousChoice(previous) {
    const last = previous[0];
    if (!last) { return null; }
    const missing = last.total - last.present;
    const radio = (value, label) => h("label", { class: "radio" },
      h("input", { type: "radio", name: "again", value, checked: state.choice === value, onchange: () => { state.choice = value; updateCreateLabel(); } }), label);
    return h("div", { class: "message message-warning", id: "previous", role: "group", "aria-labelledby": "previous-title" },
      h("h3", { id: "previous-title", class: "message-title" }, `Applied on ${last.appliedOn}: ${last.created} created${last.deleted ? `, ${last.deleted} since deleted` : ""}`),
      radio("all", "Create all again"),
      radio("missing", `Create only the missing ones (${missing})`));
  }

  function updateCreateLabel() {
    const p = state.preview;
    if (!p) { return; }
    const last = (p.previous || [])[0];
    const count = state.choice === "missing" && last ? last.total - last.present : p.subtasks.length;
    createButton.textContent = count === 0 ? "Nothing missing" : `Create ${plural(count, "subtask")}`;
    createButton.disabled = count === 0;
  }

  // ---- create ----------------------------------------------------------------------------
  async function create() {
    const p = state.preview;
    if (!p) { return; }
    const last = (p.previous || [])[0];
    const again = state.choice === "missing" && last;
    const attempt = {
      key: again ? last.applyId : newKey(),
      body: body(again ? { recreateDeleted: true } : {}),
      total: again ? last.total - last.present : p.subtasks.length,
    };
    // Kept until the application completes: a reload resumes it with the same key.
    sessionStorage.setItem(pendingKey, JSON.stringify(attempt));
    await apply(attempt);
  }

  async function resumePending() {
    let attempt = null;
    try { attempt = JSON.parse(sessionStorage.getItem(pendingKey) || "null"); } catch { attempt = null; }
    if (!attempt || !/^[0-9a-f]{32}$/.test(attempt.key || "")) { return; }
    fill(notice, message("info", "Finishing your last create", "The page reloaded while subtasks were being created; nothing will be created twice."));
    await apply(attempt);
  }

  async function apply(attempt) {
    state.last = attempt;
    createButton.disabled = true;
    results.hidden = true;
    const bar = h("progress", { id: "progress-bar", max: attempt.total || 1, value: 0 });
    const text = h("p", { id: "progress-text", role: "status" }, `Creating ${plural(attempt.total, "subtask")}…`);
    fill(progress, bar, text);
    progress.hidden = false;
    let running = true;
    const poll = (async () => {
      while (running) {
        await sleep(POLL_MS);
        if (!running) { break; }
        try {
          const status = await call("GET", `${base}/applications/${attempt.key}`);
          if (running && status && typeof status.done === "number") {
            bar.max = status.total || bar.max;
            bar.value = status.done;
            text.textContent = `Creating: ${status.done} of ${status.total}`;
          }
        } catch { /* not started yet, or another instance: keep the spinner text */ }
      }
    })();
    let report = null;
    let error = null;
    try {
      report = await call("POST", `${base}/subtasks`, attempt.body, {
        headers: { "Idempotency-Key": attempt.key },
        onWait: (s) => { text.textContent = `Jira is busy; trying again in ${s} s…`; },
      });
    } catch (err) {
      error = err;
      report = err instanceof ApiError ? err.body.result || null : null;
    }
    running = false;
    await poll;
    progress.hidden = true;
    if (report) { showReport(report, attempt); }
    if (error && !report) {
      fill(notice, failure(error, () => apply(attempt)));
      if (!(error instanceof ApiError) || error.status === 0 || error.status >= 500) { return; }
      sessionStorage.removeItem(pendingKey); // refused outright: nothing is in flight
    } else if (error) {
      fill(notice, message("warning", "Some subtasks were not created yet", error.body.detail || error.message));
    }
    updateCreateLabel();
  }

  function showReport(report, attempt) {
    const unfinished = report.rejected + report.pending;
    if (unfinished === 0) {
      sessionStorage.removeItem(pendingKey);
      fill(notice);
    }
    const summary = [
      report.created ? `${report.created} created` : null,
      report.existing ? `${report.existing} already there` : null,
      report.rejected ? `${report.rejected} rejected by Jira` : null,
      report.pending ? `${report.pending} not created yet` : null,
    ].filter(Boolean).join(", ") || "Nothing to create";
    const retry = unfinished > 0 ? h("button", { type: "button", id: "retry", class: "primary",
      onclick: (e) => busy(e.target, "Retrying…", () => apply(attempt)) }, `Retry the failed ones (${unfinished})`) : null;
    fill(results,
      h("h2", { id: "results-title" }, "Result"),
      h("p", { id: "result-summary", role: "status" }, `${summary}.`),
      resultList(report.items, ctx.hostUrl),
      retry);
    results.hidden = false;
    if (report.created > 0) {
      host.refreshIssue();
      host.flag(`${plural(report.created, "subtask")} created`, `On ${report.parentKey}`, "success");
    }
    // Done: the result stays on screen; picking the template again previews it afresh (and
    // says it was applied before).
    state.preview = null;
    previewBox.hidden = true;
  }

  // ---- save as template ------------------------------------------------------------------
  async function saveAsTemplate() {
    saveBox.hidden = false;
    fill(saveBox, h("p", { role: "status" }, "Reading this issue's subtasks…"));
    let found;
    try {
      found = await call("GET", `${base}/subtasks/as-template`);
    } catch (err) {
      fill(saveBox, failure(err, saveAsTemplate));
      return;
    }
    if (found.count === 0) {
      fill(saveBox, message("info", "No subtasks to save", `${ctx.issueKey} has no subtasks yet.`));
      return;
    }
    const name = h("input", { id: "template-name", type: "text", maxlength: 255, value: `Subtasks of ${ctx.issueKey}`, required: true });
    const status = h("p", { role: "status" });
    const save = h("button", { type: "submit", class: "primary" }, "Save to My templates");
    const form = h("form", { class: "save-form", onsubmit: async (e) => {
      e.preventDefault();
      await busy(save, "Saving…", () => saveTemplate(name.value.trim(), found.quickEntry, status));
    } },
    h("h2", {}, `Save ${plural(found.count, "subtask")} as a template`),
    h("label", { for: "template-name" }, "Template name"), name,
    h("pre", { class: "quick-text", tabindex: 0, "aria-label": "The template's text" }, found.quickEntry),
    h("div", { class: "actions" }, save,
      h("button", { type: "button", class: "subtle", onclick: () => { saveBox.hidden = true; } }, "Cancel")),
    status);
    fill(saveBox, form);
    name.focus();
  }

  async function saveTemplate(name, quickEntry, status) {
    if (!name) { status.textContent = "Give the template a name."; return; }
    try {
      const library = await call("GET", "/api/v1/templates?scope=personal");
      const id = slug(name, library.templates.map((t) => t.id));
      const templates = [...library.templates.map(({ id: tid, name: tn, description, subtaskType, quickEntry: q }) =>
        ({ id: tid, name: tn, description, subtaskType, quickEntry: q })), { id, name, quickEntry }];
      await call("PUT", "/api/v1/templates?scope=personal", { revision: library.revision, templates });
      fill(saveBox, message("success", "Template saved", `“${name}” is now in My subtask templates.`));
      host.flag("Template saved", name, "success");
      await loadTemplates();
    } catch (err) {
      fill(status, failure(err, () => saveTemplate(name, quickEntry, status)));
    }
  }
}

/** Marks the view interactive (the browser tests read when, relative to the frame's navigation). */
function ready(what) {
  document.body.dataset.ready = what;
  document.body.dataset.readyAt = String(performance.now());
}

function tabBar() {
  const names = [["template", "Template"], ["quick", "Quick entry"]];
  let handler = () => {};
  const buttons = names.map(([id, label], i) => h("button", {
    type: "button", role: "tab", id: `tab-${id}`, "aria-controls": `panel-${id}`,
    "aria-selected": i === 0 ? "true" : "false", tabindex: i === 0 ? 0 : -1,
    onclick: () => select(id),
    onkeydown: (e) => {
      if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
        const next = names[(i + (e.key === "ArrowRight" ? 1 : names.length - 1)) % names.length][0];
        select(next);
        document.getElementById(`tab-${next}`).focus();
      }
    },
  }, label));
  function select(id) {
    for (const b of buttons) {
      const on = b.id === `tab-${id}`;
      b.setAttribute("aria-selected", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
    }
    handler(id);
  }
  return { el: h("div", { role: "tablist", class: "tabs", "aria-label": "Subtasks from" }, buttons), select, onSelect: (fn) => { handler = fn; } };
}
