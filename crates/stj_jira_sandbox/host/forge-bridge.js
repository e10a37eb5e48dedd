/* The Jira sandbox's stand-in for what Forge's platform injects into Custom UI frames: the
 * `window.__bridge.callBridge(name, payload)` global that Atlassian's @forge/bridge calls, so the
 * real package runs unchanged. Each call goes to the host page over postMessage and resolves with
 * its answer. Also as Forge does: the frame's height is reported to the host, and the theme the
 * app enables is applied to <html>. A classic script without eval; every message is checked both
 * ways (only the parent at the host origin the page named in `?host=`). Served by the sandbox's
 * Forge CDN at /forge-cdn/_platform/bridge.js and injected into each index.html. */
(function () {
  "use strict";
  if (window.__bridge) {
    return;
  }
  var TYPE = "stj-forge";
  var THEMES = "light:light dark:dark spacing:spacing typography:typography shape:shape";

  function originOf(url) {
    try {
      var parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : null;
    } catch (e) {
      return null;
    }
  }

  var named = originOf(new URLSearchParams(window.location.search).get("host") || "");
  var ancestors = window.location.ancestorOrigins;
  var actual = ancestors && ancestors.length ? originOf(ancestors[0]) : null;
  // The named host must be the real parent when the browser says who that is.
  var hostOrigin = named && (!actual || actual === named) ? named : null;
  var nextId = 1;
  var pending = new Map();
  var theming = false;
  var colorMode = null;
  var lastHeight = -1;

  function post(msg) {
    msg.type = TYPE;
    window.parent.postMessage(msg, hostOrigin);
  }

  function callBridge(name, payload) {
    return new Promise(function (resolve, reject) {
      if (window.parent === window || !hostOrigin) {
        reject(new Error("Forge bridge: not inside a Jira (sandbox) page"));
        return;
      }
      var id = nextId++;
      pending.set(id, { resolve: resolve, reject: reject });
      var data = payload === undefined ? null : payload;
      try {
        post({ kind: "call", id: id, name: String(name), payload: data });
      } catch (e) {
        pending.delete(id);
        reject(new Error("Forge bridge: " + name + " cannot be sent (" + e.message + ")"));
      }
    });
  }

  function applyTheme() {
    if (theming && colorMode) {
      var html = document.documentElement;
      html.setAttribute("data-color-mode", colorMode === "dark" ? "dark" : "light");
      html.setAttribute("data-theme", THEMES);
    }
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || event.origin !== hostOrigin) {
      return;
    }
    var msg = event.data;
    if (!msg || msg.type !== TYPE) {
      return;
    }
    if (msg.kind === "result" && pending.has(msg.id)) {
      var waiting = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.ok) {
        waiting.resolve(msg.value);
      } else {
        waiting.reject(new Error(msg.error || "Forge bridge call failed"));
      }
    } else if (msg.kind === "event" && msg.name === "theme" && msg.data) {
      colorMode = msg.data.colorMode;
      applyTheme();
    }
  });

  var bridge = {
    callBridge: function (name, payload) {
      if (name === "enableTheming") {
        theming = true;
        return callBridge(name, payload).then(function (theme) {
          colorMode = (theme && theme.colorMode) || colorMode;
          applyTheme();
          return undefined;
        });
      }
      return callBridge(name, payload);
    },
  };
  Object.defineProperty(window, "__bridge", { value: Object.freeze(bridge) });

  function contentHeight() {
    var html = document.documentElement;
    var height = html.getBoundingClientRect().height;
    if (document.body) {
      var margin = parseFloat(window.getComputedStyle(document.body).marginBottom) || 0;
      height = Math.max(height, document.body.getBoundingClientRect().bottom + window.scrollY + margin);
    }
    return Math.ceil(height);
  }

  var queued = false;
  function reportSize() {
    if (queued) {
      return;
    }
    queued = true;
    setTimeout(function () {
      queued = false;
      var height = contentHeight();
      if (height !== lastHeight && hostOrigin && window.parent !== window) {
        lastHeight = height;
        post({ kind: "resize", height: height });
      }
    }, 0);
  }

  function start() {
    // Both observers: a MutationObserver fires even while the frame is scrolled out of view.
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(reportSize).observe(document.documentElement);
    }
    new MutationObserver(reportSize).observe(document.documentElement, {
      childList: true, subtree: true, attributes: true,
    });
    window.addEventListener("load", reportSize);
    reportSize();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
