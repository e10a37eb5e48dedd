// The preview table (exactly what will be created) and the per-item results.

import { h, lozenge } from "./dom.js";
import * as host from "./host.js";

export function previewTable(items) {
  const assignee = (a) => {
    if (!a || a.type === "projectDefault") { return "Default"; }
    if (a.type === "unassigned") { return "Unassigned"; }
    return a.displayName || "A user";
  };
  return h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Subtasks to create" },
    h("table", { id: "preview-table" },
      h("thead", {}, h("tr", {},
        ["Summary", "Assignee", "Labels", "Estimate", "Priority", "Due", "Type"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, items.map((item, i) => h("tr", { "data-line": item.line || i + 1 },
        h("td", { class: "summary" }, item.summary,
          item.description ? h("span", { class: "has-description", title: "Has a description" }, " · description") : null),
        h("td", {}, assignee(item.assignee)),
        h("td", {}, (item.labels || []).map((l) => h("span", { class: "label" }, l))),
        h("td", {}, item.originalEstimate || "—"),
        h("td", {}, item.priority || "—"),
        h("td", {}, item.dueDate || "—"),
        h("td", {}, item.issueType ? item.issueType.name : "—"))))));
}

const STATUS = {
  created: ["Created", "success"],
  existing: ["Already there", "default"],
  rejected: ["Rejected", "removed"],
  pending: ["Not created yet", "moved"],
};

export function resultList(items, hostUrl) {
  return h("ol", { id: "result-list", class: "results" }, items.map((item) => {
    const [label, kind] = STATUS[item.status] || [item.status, "default"];
    const link = item.key ? h("a", {
      href: hostUrl ? `${hostUrl}/browse/${encodeURIComponent(item.key)}` : "#",
      target: "_top", class: "issue-key",
      onclick: (e) => { e.preventDefault(); host.openIssue(item.key); },
    }, item.key) : null;
    return h("li", { class: `result result-${item.status}` },
      lozenge(label, kind), " ", link, link ? " " : null, h("span", { class: "summary" }, item.summary),
      item.message ? h("p", { class: "reason" }, `Jira: ${item.message}`) : null);
  }));
}
