// The template picker: a filter box (combobox) over a grouped list (listbox), usable by keyboard
// alone: type to filter, ArrowUp/ArrowDown to move, Enter to pick, Escape to clear.

import { h, fill } from "./dom.js";
import { plural } from "./ui.js";

export function picker({ groups, onPick }) {
  const input = h("input", {
    id: "picker-filter", type: "search", role: "combobox", autocomplete: "off",
    "aria-autocomplete": "list", "aria-controls": "picker-list", "aria-expanded": "true",
    placeholder: "Type to filter templates",
  });
  const list = h("ul", { id: "picker-list", role: "listbox", "aria-label": "Templates" });
  const status = h("p", { class: "visually-hidden", role: "status", id: "picker-count" });
  let options = [];
  let active = -1;

  function render() {
    const q = input.value.trim().toLowerCase();
    options = [];
    const children = [];
    for (const group of groups) {
      const matches = group.templates.filter((t) => !q || t.name.toLowerCase().includes(q) || (t.description || "").toLowerCase().includes(q));
      if (!matches.length) { continue; }
      const groupId = `group-${group.scope}`;
      children.push(h("li", { role: "presentation", class: "group", id: groupId }, group.label));
      for (const t of matches) {
        const index = options.length;
        const el = h("li", {
          role: "option", id: `option-${group.scope}-${t.id}`, "aria-selected": "false", "aria-describedby": groupId,
          onclick: () => pick(index), onmousemove: () => setActive(index),
        }, h("span", { class: "option-name" }, t.name), h("span", { class: "option-meta" }, plural(t.count, "subtask")));
        options.push({ el, group, template: t });
        children.push(el);
      }
    }
    if (!options.length) { children.push(h("li", { role: "presentation", class: "empty" }, "No template matches.")); }
    fill(list, children);
    status.textContent = `${plural(options.length, "template")} shown`;
    setActive(options.length ? 0 : -1);
  }

  function setActive(index) {
    if (options[active]) { options[active].el.classList.remove("active"); }
    active = index;
    const option = options[active];
    if (option) {
      option.el.classList.add("active");
      input.setAttribute("aria-activedescendant", option.el.id);
      option.el.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function pick(index) {
    const option = options[index];
    if (!option) { return; }
    for (const o of options) { o.el.setAttribute("aria-selected", "false"); }
    option.el.setAttribute("aria-selected", "true");
    setActive(index);
    onPick(option.group, option.template);
  }

  input.addEventListener("input", render);
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!options.length) { return; }
      const step = e.key === "ArrowDown" ? 1 : options.length - 1;
      setActive((Math.max(active, 0) + step) % options.length);
    } else if (e.key === "Enter") {
      e.preventDefault();
      pick(active);
    } else if (e.key === "Escape" && input.value) {
      e.preventDefault();
      input.value = "";
      render();
    }
  });
  render();
  return {
    el: h("div", { class: "picker" },
      h("label", { for: "picker-filter" }, "Template"), input, list, status),
  };
}
