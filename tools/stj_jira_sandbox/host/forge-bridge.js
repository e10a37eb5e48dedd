/* The Jira sandbox's stand-in for what Forge's platform injects into Custom UI frames: the
 * `window.__bridge.callBridge(name, payload)` global that Atlassian's @forge/bridge calls, so the
 * real package runs unchanged. Each call goes to the host page over postMessage and resolves with
 * its answer. Also as Forge does: the frame's height is reported to the host, and the theme the
 * app enables is applied to <html>. A classic script without eval; every message is checked both
 * ways (only the parent at the host origin the page named in `?host=`). Served by the sandbox's
 * Forge CDN at /forge-cdn/_platform/bridge.js, after frame-channel.js (the channel, theme and
 * height it shares with all.js), and injected into each index.html. */
(function () {
  "use strict";
  if (window.__bridge) {
    return;
  }
  var THEMES = "light:light dark:dark spacing:spacing typography:typography shape:shape";

  var named = originOf(new URLSearchParams(window.location.search).get("host") || "");
  var ancestors = window.location.ancestorOrigins;
  var actual = ancestors && ancestors.length ? originOf(ancestors[0]) : null;
  // The named host must be the real parent when the browser says who that is.
  var hostOrigin = named && (!actual || actual === named) ? named : null;
  var channel = frameChannel("stj-forge", hostOrigin, function (name, data) {
    if (name === "theme" && data) {
      colorMode = data.colorMode;
      applyTheme();
    }
  });
  var theming = false;
  var colorMode = null;
  var lastHeight = -1;

  function callBridge(name, payload) {
    var data = payload === undefined ? null : payload;
    return channel.call({ name: String(name), payload: data }, "Forge bridge " + name);
  }

  function applyTheme() {
    if (theming && colorMode) {
      applyColorMode(colorMode, THEMES);
    }
  }

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

  var queued = false;
  function reportSize() {
    if (queued) {
      return;
    }
    queued = true;
    setTimeout(function () {
      queued = false;
      var height = contentHeight();
      if (height !== lastHeight && channel.inFrame) {
        lastHeight = height;
        channel.post({ kind: "resize", height: height });
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
