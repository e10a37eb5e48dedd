// Issue glance: type subtasks (one per line), preview them against the issue, create them.
// Every call gets a fresh context token from Jira (they expire in minutes); none is stored.
// Untrusted text is only ever set through textContent.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var status = $("status");
  function show(text) { if (status) { status.textContent = text; } }
  var issueKey = new URLSearchParams(window.location.search).get("issueKey");
  if (!window.AP || !window.AP.context) { show("Open this page from a Jira issue."); return; }
  if (!issueKey || !/^[A-Z][A-Z0-9_]{1,9}-[1-9][0-9]*$/.test(issueKey)) { show("No issue in context."); return; }
  var form = $("form");
  if (form) { form.hidden = false; }
  show("Type one subtask per line. Markers: @me #label ~2h !High due:+2d");

  function call(method, path, body) {
    return window.AP.context.getToken().then(function (token) {
      return fetch(path, {
        method: method,
        headers: { "Authorization": "JWT " + token, "Content-Type": "application/json" },
        body: body ? JSON.stringify(body) : undefined
      });
    }).then(function (res) {
      return res.json().then(function (json) { return { ok: res.ok, json: json }; });
    });
  }

  function today() {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function list(items, render) {
    var ul = $("results");
    ul.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = render(item);
      ul.appendChild(li);
    });
  }

  function problems(json) {
    var lines = (json.problems || []).map(function (p) {
      return (p.line ? "Line " + p.line + ": " : "") + p.message;
    });
    list(lines.length ? lines : [json.detail || json.title], function (t) { return t; });
  }

  function body() { return { quickEntry: $("quick-entry").value, today: today() }; }
  var base = "/api/v1/issues/" + encodeURIComponent(issueKey) + "/subtasks";

  $("preview").addEventListener("click", function () {
    show("Previewing…");
    call("POST", base + "/preview", body()).then(function (r) {
      if (!r.ok) { show("Please fix these lines."); problems(r.json); return; }
      show(r.json.subtasks.length + " subtasks will be created:");
      list(r.json.subtasks, function (s) {
        return s.summary + (s.labels.length ? "  #" + s.labels.join(" #") : "") +
          (s.originalEstimate ? "  ~" + s.originalEstimate : "") + (s.dueDate ? "  due " + s.dueDate : "");
      });
    }).catch(function () { show("Could not reach Subtask Templates. Try again."); });
  });

  $("apply").addEventListener("click", function () {
    show("Creating…");
    $("apply").disabled = true;
    call("POST", base, body()).then(function (r) {
      var result = r.ok ? r.json : r.json.result;
      if (!result) { show("Nothing was created."); problems(r.json); return; }
      show(result.created + " created, " + result.existing + " already there" +
        (result.pending ? ", " + result.pending + " still to create: press Create again." : "."));
      list(result.items, function (i) { return (i.key ? i.key + "  " : "") + i.summary + "  (" + i.status + ")"; });
      if (window.AP.jira && window.AP.jira.refreshIssuePage) { window.AP.jira.refreshIssuePage(); }
    }).catch(function () { show("Could not reach Subtask Templates. Nothing is lost: press Create again."); })
      .then(function () { $("apply").disabled = false; });
  });
})();
