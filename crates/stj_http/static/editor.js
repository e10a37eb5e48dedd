// The template editor: name, description, default subtask type, and the subtasks either as a
// form (one row per subtask, reorder by keyboard or drag) or as quick-entry text. Switching
// converts through the API (`check` text → rows, `format` rows → text), so the grammar lives
// once, on the server, and nothing typed is lost.

import { h, fill, debounce } from "./dom.js";
import { call, ApiError } from "./api.js";
import { quickEditor } from "./quick.js";
import { failure, message, busy } from "./ui.js";

const ASSIGNEE_WORDS = ["me", "parent", "reporter", "unassigned"];
const FIELDS = [
  ["assignee", "Assignee", "me, parent, reporter, unassigned or an account id"],
  ["labels", "Labels", "space-separated"],
  ["estimate", "Estimate", "e.g. 1d 4h"],
  ["priority", "Priority", "e.g. High"],
  ["due", "Due", "e.g. +2d or parent-1d"],
  ["issueType", "Subtask type", "a subtask type name"],
];

/** editTemplate({template, readOnly, onSave(template) → Promise, onCancel}) → element */
export function templateEditor({ template, readOnly, onSave, onCancel }) {
  let mode = "text";
  let rows = [];
  const name = h("input", { id: "tpl-name", type: "text", required: true, maxlength: 255, value: template.name || "", readOnly });
  const description = h("input", { id: "tpl-description", type: "text", maxlength: 1000, value: template.description || "", readOnly });
  const subtaskType = h("input", { id: "tpl-type", type: "text", maxlength: 255, value: template.subtaskType || "", readOnly, placeholder: "The project's first subtask type" });
  const text = quickEditor({ id: "tpl-text", readOnly, onChange: debounce(() => check(), 400) });
  text.set(template.quickEntry || "");
  const formBox = h("div", { id: "tpl-form", class: "rows", hidden: true });
  const textBox = h("div", { id: "tpl-textbox" }, text.el);
  const status = h("div", { id: "tpl-status" });
  const modeTabs = h("div", { role: "tablist", class: "tabs", "aria-label": "Edit subtasks as" },
    tab("text", "Text"), tab("form", "Form"));
  const saveButton = h("button", { type: "submit", class: "primary", id: "tpl-save", hidden: readOnly }, "Save template");

  function tab(id, label) {
    return h("button", {
      type: "button", role: "tab", id: `mode-${id}`, "aria-selected": String(mode === id), "aria-controls": id === "text" ? "tpl-textbox" : "tpl-form",
      onclick: () => switchTo(id),
      onkeydown: (e) => { if (e.key === "ArrowRight" || e.key === "ArrowLeft") { const other = id === "text" ? "form" : "text"; switchTo(other).then(() => document.getElementById(`mode-${other}`).focus()); } },
    }, label);
  }

  async function switchTo(next) {
    if (next === mode) { return; }
    try {
      if (next === "form") {
        const checked = await call("POST", "/api/v1/quick-entry/check", { text: text.value() });
        rows = checked.items.map(({ line, ...item }) => item);
        renderRows();
      } else {
        text.set(await toText());
        text.showProblems([]);
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === "subtasks_invalid" && next === "form") {
        text.showProblems(err.problems);
        fill(status, message("error", "Fix the marked lines first", "The form needs text that reads cleanly."));
      } else {
        fill(status, failure(err, () => switchTo(next)));
      }
      return;
    }
    fill(status);
    mode = next;
    for (const b of modeTabs.children) { b.setAttribute("aria-selected", String(b.id === `mode-${mode}`)); b.tabIndex = b.id === `mode-${mode}` ? 0 : -1; }
    formBox.hidden = mode !== "form";
    textBox.hidden = mode !== "text";
  }

  async function toText() {
    const items = rows.filter((r) => (r.summary || "").trim());
    if (!items.length) { return ""; }
    return (await call("POST", "/api/v1/quick-entry/format", { items })).quickEntry;
  }

  async function check() {
    if (!text.value().trim()) { text.showProblems([]); return; }
    try {
      await call("POST", "/api/v1/quick-entry/check", { text: text.value() });
      text.showProblems([]);
    } catch (err) {
      if (err instanceof ApiError && err.code === "subtasks_invalid") { text.showProblems(err.problems); }
    }
  }

  function renderRows() {
    fill(formBox,
      h("ol", { class: "row-list", "aria-label": "Subtasks" }, rows.map((row, i) => rowEditor(row, i))),
      readOnly ? null : h("button", { type: "button", id: "add-row", onclick: () => { rows.push({ summary: "" }); renderRows(); focusRow(rows.length - 1); } }, "Add a subtask"));
  }

  function focusRow(i) {
    const el = document.getElementById(`row-${i}-summary`);
    if (el) { el.focus(); }
  }

  function move(from, to) {
    if (to < 0 || to >= rows.length || from === to) { return; }
    const [row] = rows.splice(from, 1);
    rows.splice(to, 0, row);
    renderRows();
    focusRow(to);
    fill(status, h("p", { role: "status", class: "visually-hidden" }, `Moved to position ${to + 1} of ${rows.length}`));
  }

  function rowEditor(row, i) {
    const value = (v, key) => {
      if (key === "assignee") { return !v || v.type === "projectDefault" ? "" : v.type === "account" ? v.accountId || "" : v.type; }
      return Array.isArray(v) ? v.join(" ") : v || "";
    };
    const set = (key) => (e) => {
      const text = e.target.value.trim();
      if (key === "labels") { row.labels = text.split(/\s+/).filter(Boolean); return; }
      if (key === "assignee") { row.assignee = !text ? null : ASSIGNEE_WORDS.includes(text) ? { type: text } : { type: "account", accountId: text }; return; }
      row[key] = e.target.value || null;
    };
    const details = h("details", { class: "row-details" }, h("summary", {}, "Details"),
      h("div", { class: "grid" }, FIELDS.map(([key, label, hint]) => h("label", { class: "field" }, label,
        h("input", { type: "text", value: value(row[key], key), readOnly, placeholder: hint, oninput: set(key) })))),
      h("label", { class: "field" }, "Description",
        h("textarea", { rows: 3, readOnly, value: row.description || "", oninput: set("description") })));
    return h("li", {
      class: "row", draggable: readOnly ? "false" : "true", "data-index": i,
      ondragstart: (e) => { e.dataTransfer.setData("text/plain", String(i)); e.dataTransfer.effectAllowed = "move"; },
      ondragover: (e) => { e.preventDefault(); e.dataTransfer.dropEffect = "move"; },
      ondrop: (e) => { e.preventDefault(); move(Number(e.dataTransfer.getData("text/plain")), i); },
    },
    h("span", { class: "handle", "aria-hidden": "true", title: "Drag to reorder" }, "⋮⋮"),
    h("label", { class: "visually-hidden", for: `row-${i}-summary` }, `Subtask ${i + 1} summary`),
    h("input", {
      id: `row-${i}-summary`, class: "row-summary", type: "text", value: row.summary || "", readOnly,
      "aria-keyshortcuts": "Alt+ArrowUp Alt+ArrowDown",
      oninput: (e) => { row.summary = e.target.value; },
      onkeydown: (e) => {
        if (e.altKey && e.key === "ArrowUp") { e.preventDefault(); move(i, i - 1); }
        if (e.altKey && e.key === "ArrowDown") { e.preventDefault(); move(i, i + 1); }
      },
    }),
    readOnly ? null : h("span", { class: "row-actions" },
      h("button", { type: "button", class: "icon", "aria-label": `Move subtask ${i + 1} up`, disabled: i === 0, onclick: () => move(i, i - 1) }, "↑"),
      h("button", { type: "button", class: "icon", "aria-label": `Move subtask ${i + 1} down`, disabled: i === rows.length - 1, onclick: () => move(i, i + 1) }, "↓"),
      h("button", { type: "button", class: "icon", "aria-label": `Remove subtask ${i + 1}`, onclick: () => { rows.splice(i, 1); renderRows(); focusRow(Math.min(i, rows.length - 1)); } }, "✕")),
    details);
  }

  const form = h("form", { class: "editor", id: "template-editor", "aria-labelledby": "editor-title",
    onsubmit: async (e) => {
      e.preventDefault();
      if (readOnly) { return; }
      if (!name.value.trim()) { fill(status, message("error", "Name the template", null)); name.focus(); return; }
      await busy(saveButton, "Saving…", async () => {
        try {
          const quickEntry = mode === "text" ? text.value() : await toText();
          await onSave({ ...template, name: name.value.trim(), description: description.value.trim() || null, subtaskType: subtaskType.value.trim() || null, quickEntry });
        } catch (err) {
          if (err instanceof ApiError && err.code === "subtasks_invalid") {
            if (mode === "form") { await switchTo("text"); }
            text.showProblems(err.problems.map((p) => ({ ...p, message: p.message.replace(/^template \d+ \([^)]*\): /, "") })));
            fill(status, message("error", "Fix the marked lines", "The template was not saved."));
          } else {
            fill(status, failure(err, null));
          }
        }
      });
    } },
  h("h2", { id: "editor-title" }, readOnly ? template.name : template.id ? `Edit “${template.name}”` : "New template"),
  h("label", { for: "tpl-name" }, "Name"), name,
  h("label", { for: "tpl-description" }, "Description (optional)"), description,
  h("label", { for: "tpl-type" }, "Default subtask type (optional)"), subtaskType,
  modeTabs, textBox, formBox, status,
  h("div", { class: "actions" }, saveButton,
    h("button", { type: "button", class: "subtle", id: "tpl-cancel", onclick: onCancel }, readOnly ? "Back" : "Cancel")));
  return { el: form, focus: () => name.focus(), showStatus: (el) => fill(status, el) };
}
