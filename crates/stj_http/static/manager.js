// The template manager: "My subtask templates" (personal, a user property) and a project's
// shared templates (a project property; project admins edit, everyone else reads). A library is
// saved whole with the revision it was read at; a stale save (409) becomes a choice, never lost work.

import { h, fill } from "./dom.js";
import { call, ApiError } from "./api.js";
import * as host from "./host.js";
import { start, message, failure, plural, slug, busy } from "./ui.js";
import { templateEditor } from "./editor.js";

const root = document.getElementById("app");
const personal = root && root.dataset.view === "my-templates";
const view = await start(personal ? "My subtask templates" : "Shared subtask templates");
if (view) { await manager(view.root, view.ctx); }

async function manager(el, ctx) {
  const scopeQuery = personal ? "scope=personal" : `scope=project&project=${encodeURIComponent(ctx.projectKey)}`;
  const title = personal ? "My subtask templates" : `${ctx.projectKey} shared subtask templates`;
  const state = { revision: 0, templates: [], canEdit: false };
  const notice = h("div", { id: "notice" });
  const body = h("div", { id: "body" });
  fill(el, h("h1", {}, title), notice, body);

  if (!personal && !/^[A-Z][A-Z0-9_]{1,9}$/.test(ctx.projectKey)) {
    fill(body, message("info", "No project here", "Open this page from a project."));
    return;
  }
  await load();

  async function load() {
    fill(body, h("p", { class: "loading", role: "status" }, "Loading templates…"));
    try {
      const library = await call("GET", `/api/v1/templates?${scopeQuery}`);
      state.revision = library.revision;
      state.templates = library.templates;
      state.canEdit = personal || library.canEdit !== false;
      list();
    } catch (err) {
      fill(body, failure(err, load));
    }
  }

  // Templates as the PUT body takes them.
  const plain = (templates) => templates.map(({ id, name, description, subtaskType, quickEntry }) =>
    ({ id, name, ...(description ? { description } : {}), ...(subtaskType ? { subtaskType } : {}), quickEntry }));

  /** Save `templates` as the whole library; true when saved. A 409 opens the conflict choice. */
  async function saveLibrary(templates, mine) {
    try {
      const saved = await call("PUT", `/api/v1/templates?${scopeQuery}`, { revision: state.revision, templates: plain(templates) });
      state.revision = saved.revision;
      state.templates = templates;
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.code === "revision_conflict" && err.body.current) {
        conflict(err.body.current, mine);
        return false;
      }
      throw err;
    }
  }

  function list() {
    document.body.dataset.ready = "manager";
    const toolbar = state.canEdit ? h("div", { class: "actions toolbar" },
      h("button", { type: "button", class: "primary", id: "new-template", onclick: () => edit({ name: "", quickEntry: "" }) }, "New template"),
      h("button", { type: "button", id: "import-text", onclick: importText }, "Import text")) : null;
    const readOnlyNote = state.canEdit ? null : message("info", "Read only",
      `Only ${ctx.projectKey} project admins can change these templates. You can apply them on any ${ctx.projectKey} issue.`);
    const empty = state.templates.length ? null : message("info", "No templates yet",
      state.canEdit ? "Create a template: one subtask per line, with markers for assignee, labels, estimate, priority and due date." : "None have been shared in this project yet.");
    fill(body, readOnlyNote, toolbar, empty,
      h("ul", { id: "template-list", class: "template-list", "aria-label": "Templates" }, state.templates.map((t, i) => card(t, i))));
  }

  function card(t, index) {
    const edit_ = h("button", { type: "button", onclick: () => edit(t) }, state.canEdit ? "Edit" : "View");
    return h("li", { class: "card", id: `template-${t.id}` },
      h("div", { class: "card-head" },
        h("h2", { class: "card-title" }, t.name),
        h("span", { class: "card-meta" }, plural(t.count, "subtask"))),
      t.description ? h("p", { class: "card-description" }, t.description) : null,
      h("div", { class: "actions" }, edit_,
        state.canEdit ? h("button", { type: "button", onclick: () => duplicate(t), "aria-label": `Duplicate ${t.name}` }, "Duplicate") : null,
        h("button", { type: "button", onclick: () => exportText(t), "aria-label": `Export ${t.name} as a text file` }, "Export"),
        state.canEdit ? h("button", { type: "button", class: "danger", "aria-label": `Delete ${t.name}`, onclick: (e) => busy(e.target, "Deleting…", () => remove(t, index)) }, "Delete") : null));
  }

  function edit(template) {
    fill(notice);
    const editor = templateEditor({
      template,
      readOnly: !state.canEdit,
      onCancel: () => list(),
      onSave: async (edited) => {
        const id = edited.id || slug(edited.name, state.templates.map((t) => t.id));
        const next = { ...edited, id };
        const templates = state.templates.some((t) => t.id === id)
          ? state.templates.map((t) => (t.id === id ? next : t))
          : [...state.templates, next];
        if (await saveLibrary(templates, next)) {
          host.flag("Template saved", next.name, "success");
          await load();
          fill(notice, message("success", `Saved “${next.name}”`, null));
        }
      },
    });
    fill(body, editor.el);
    editor.focus();
  }

  async function duplicate(t) {
    const copy = { ...t, id: slug(`${t.name} copy`, state.templates.map((x) => x.id)), name: `${t.name} (copy)` };
    try {
      if (await saveLibrary([...state.templates, copy], copy)) { await load(); fill(notice, message("success", `Duplicated as “${copy.name}”`, null)); }
    } catch (err) { fill(notice, failure(err, () => duplicate(t))); }
  }

  async function remove(t, index) {
    try {
      if (!(await saveLibrary(state.templates.filter((x) => x.id !== t.id), null))) { return; }
    } catch (err) { fill(notice, failure(err, null)); return; }
    list();
    const undo = h("button", { type: "button", id: "undo-delete", onclick: (e) => busy(e.target, "Restoring…", async () => {
      const templates = [...state.templates];
      templates.splice(Math.min(index, templates.length), 0, t);
      try {
        if (await saveLibrary(templates, t)) { await load(); fill(notice, message("success", `Restored “${t.name}”`, null)); }
      } catch (err) { fill(notice, failure(err, null)); }
    }) }, "Undo");
    fill(notice, message("info", `Deleted “${t.name}”`, null, undo));
    undo.focus();
  }

  function exportText(t) {
    const blob = new Blob([`${t.quickEntry}\n`], { type: "text/plain;charset=utf-8" });
    const a = h("a", { href: URL.createObjectURL(blob), download: `${t.id}.txt` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  function importText() {
    fill(notice);
    const area = h("textarea", { id: "import-source", rows: 10, spellcheck: "false" });
    const result = h("div", { id: "import-result" });
    const convert = h("button", { type: "submit", class: "primary" }, "Convert");
    fill(body, h("form", { class: "editor", "aria-labelledby": "import-title", onsubmit: (e) => {
      e.preventDefault();
      busy(convert, "Converting…", async () => {
        try {
          const out = await call("POST", "/api/v1/quick-entry/import", { text: area.value });
          const unmapped = out.unmapped || [];
          fill(result,
            message(unmapped.length ? "warning" : "success",
              `${plural(out.count, "subtask")} read${out.format && out.format !== "unknown" ? ` (${out.format.replace("-", " ")} format)` : ""}`,
              unmapped.length ? "These parts could not be mapped and were left out:" : "Everything was mapped.",
              h("button", { type: "button", class: "primary", id: "import-create", onclick: () => edit({ name: "Imported template", quickEntry: out.quickEntry }) }, "Create a template from it")),
            unmapped.length ? h("ul", { class: "problems" }, unmapped.map((u) => h("li", {}, `Line ${u.line}: “${u.text}” — ${u.reason}`))) : null,
            h("pre", { class: "quick-text", tabindex: 0, "aria-label": "Converted text" }, out.quickEntry));
        } catch (err) {
          fill(result, err instanceof ApiError && err.problems.length
            ? message("error", "Could not read this text", null, h("ul", {}, err.problems.map((p) => h("li", {}, p.line ? `Line ${p.line}: ${p.message}` : p.message))))
            : failure(err, null));
        }
      });
    } },
    h("h2", { id: "import-title" }, "Import text"),
    h("label", { for: "import-source" }, "Paste a list from Multiple Subtasks or Quick Subtasks (each subtask starts with “- ”)"), area,
    h("div", { class: "actions" }, convert, h("button", { type: "button", class: "subtle", onclick: () => list() }, "Back")),
    result));
    area.focus();
  }

  /** Someone saved first: show both versions and let the user choose. */
  function conflict(current, mine) {
    const theirs = mine ? current.templates.find((t) => t.id === mine.id) : null;
    const column = (label, t, id) => h("div", { class: "version", id },
      h("h3", {}, label),
      t ? [h("p", { class: "card-title" }, t.name), h("pre", { class: "quick-text", tabindex: 0 }, t.quickEntry)] : h("p", {}, "(not in this version)"));
    const keepMine = h("button", { type: "button", class: "primary", id: "conflict-mine", onclick: () => busy(keepMine, "Saving…", async () => {
      state.revision = current.revision;
      state.templates = current.templates;
      const templates = mine
        ? (current.templates.some((t) => t.id === mine.id) ? current.templates.map((t) => (t.id === mine.id ? mine : t)) : [...current.templates, mine])
        : current.templates;
      try {
        if (await saveLibrary(templates, mine)) { await load(); fill(notice, message("success", "Saved your version", "Other changes made meanwhile were kept.")); }
      } catch (err) { fill(notice, failure(err, null)); }
    }) }, "Save my version");
    const takeTheirs = h("button", { type: "button", id: "conflict-theirs", onclick: () => {
      state.revision = current.revision;
      state.templates = current.templates;
      list();
      fill(notice, message("info", "Showing the current version", "Your edit was discarded."));
    } }, "Use the current version");
    fill(notice, h("section", { class: "message message-warning conflict", role: "alert", id: "conflict" },
      h("h2", { class: "message-title" }, "Changed elsewhere since you opened it"),
      h("p", {}, "Someone (or another tab) saved these templates first. Nothing is lost: choose which version to keep."),
      h("div", { class: "versions" }, column("Your version", mine, "version-mine"), column("Current version", theirs, "version-current")),
      h("div", { class: "actions" }, keepMine, takeTheirs)));
    keepMine.focus();
  }
}
