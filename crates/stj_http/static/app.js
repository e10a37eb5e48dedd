// Frontend bootstrap: ask Jira for a fresh context token before each call (they expire in minutes),
// then call the app's API with it. No token is stored.
(function () {
  "use strict";
  var status = document.getElementById("status");
  function show(text) { if (status) { status.textContent = text; } }
  if (!window.AP || !window.AP.context) { show("Open this page from Jira."); return; }
  window.AP.context.getToken().then(function (token) {
    return fetch("/api/v1/context", { headers: { Authorization: "JWT " + token } });
  }).then(function (res) {
    if (!res.ok) { throw new Error("status " + res.status); }
    return res.json();
  }).then(function (ctx) {
    show("Connected to " + ctx.site + ".");
  }).catch(function () {
    show("Could not reach Subtask Templates. Reload the issue to try again.");
  });
})();
