// A quick-entry text editor: line numbers in a gutter, problems marked at their source line and
// listed below (each jumps to its line), aria-invalid/aria-describedby for screen readers.

import { h, fill } from "./dom.js";

const HELP = "One subtask per line. Markers: @me or @unassigned, #label, ~2h, !High, due:+2d, type:Name. Indent a line to make it the description of the line above.";

export function quickEditor({ id, onChange, label = "Subtasks, one per line", readOnly = false }) {
  const gutter = h("div", { class: "gutter", "aria-hidden": "true" });
  const area = h("textarea", {
    id, wrap: "off", spellcheck: "true", rows: 6, readOnly,
    "aria-describedby": `${id}-help ${id}-problems`,
    placeholder: "Write tests @me #qa ~2h due:+2d",
  });
  const problemList = h("ul", { id: `${id}-problems`, class: "problems", "aria-live": "polite" });
  let bad = new Set();

  function lines() { return area.value.split("\n").length; }

  function paint() {
    const n = lines();
    area.rows = Math.min(Math.max(n + 1, 6), 24);
    fill(gutter, Array.from({ length: n }, (_, i) => h("div", { class: bad.has(i + 1) ? "bad" : "" }, String(i + 1))));
    gutter.scrollTop = area.scrollTop;
  }

  function goTo(line) {
    const all = area.value.split("\n");
    const start = all.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0);
    area.focus();
    area.setSelectionRange(start, start + (all[line - 1] || "").length);
  }

  area.addEventListener("input", () => { paint(); onChange(area.value); });
  area.addEventListener("scroll", () => { gutter.scrollTop = area.scrollTop; });
  paint();

  return {
    el: h("div", { class: "quick-editor" },
      h("label", { for: id }, label),
      h("div", { class: "editor-box" }, gutter, area),
      h("p", { id: `${id}-help`, class: "help" }, HELP),
      problemList),
    value: () => area.value,
    set(text) { area.value = text; paint(); },
    focus: () => area.focus(),
    /** problems: [{line, message}] from the API (source lines of this text). */
    showProblems(problems) {
      bad = new Set(problems.map((p) => p.line).filter(Boolean));
      if (problems.length) { area.setAttribute("aria-invalid", "true"); } else { area.removeAttribute("aria-invalid"); }
      fill(problemList, problems.map((p) => h("li", { class: "problem", "data-line": p.line || "" },
        p.line ? h("button", { type: "button", class: "link", onclick: () => goTo(p.line) }, `Line ${p.line}`) : null,
        p.line ? ": " : null, p.message)));
      paint();
    },
  };
}
