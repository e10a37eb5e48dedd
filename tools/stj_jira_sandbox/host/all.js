/* The Jira sandbox's stand-in for Atlassian's Connect JS API (all.js): the AP subset Subtask
 * Templates uses, inside the app's iframe, talking to the sandbox host page over postMessage.
 * A classic script without eval. Every message is checked both ways: the host only answers its
 * own iframe at the app's origin, and this script only listens to its parent at the host origin
 * (the `xdm_e` parameter Jira puts in every iframe URL). Served at /atlassian-connect/all.js,
 * after frame-channel.js (the channel, theme and height it shares with forge-bridge.js). */
(function () {
  "use strict";
  if (window.AP && window.AP.stjSandbox) {
    return;
  }
  var THEMES = "light:light dark:dark spacing:spacing typography:typography";
  var script = document.currentScript;
  var params = new URLSearchParams(window.location.search);

  var ancestors = window.location.ancestorOrigins;
  var hostOrigin =
    originOf(params.get("xdm_e") || "") ||
    (ancestors && ancestors.length ? originOf(ancestors[0]) : null) ||
    originOf(document.referrer);
  var channel = frameChannel("stj-ap", hostOrigin, dispatch);
  var nextFlag = 1;
  var listeners = new Map();
  var theme = null;
  var theming = false;
  var autoResize = true;
  var lastHeight = -1;

  function options() {
    var raw = (script && script.getAttribute("data-options")) || "";
    var found = {};
    raw.split(";").forEach(function (pair) {
      var parts = pair.split(":");
      if (parts.length === 2) {
        found[parts[0].trim()] = parts[1].trim();
      }
    });
    return found;
  }

  function call(method, args) {
    return channel.call({ method: method, args: args === undefined ? null : args }, "AP." + method);
  }

  /* Fire and forget: a refused call is worth a warning, not an unhandled rejection. */
  function send(method, args) {
    call(method, args).catch(function (e) {
      console.warn(e.message);
    });
  }

  /* Atlassian's API takes a callback where it has one; every call also returns a Promise. */
  function both(promise, callback) {
    if (typeof callback === "function") {
      promise.then(
        function (value) {
          callback(value);
        },
        function () {
          callback(undefined);
        }
      );
    }
    return promise;
  }

  function dispatch(name, data) {
    if (name === "theme") {
      theme = data;
      applyTheme();
    }
    (listeners.get(name) || []).slice().forEach(function (entry) {
      if (entry.once) {
        off(name, entry.fn);
      }
      entry.fn(data);
    });
  }

  function applyTheme() {
    if (!theming || !theme) {
      return;
    }
    applyColorMode(theme.colorMode, THEMES);
  }

  function reportSize() {
    if (!autoResize) {
      return;
    }
    var height = contentHeight();
    if (height !== lastHeight) {
      lastHeight = height;
      send("resize", { width: "100%", height: height });
    }
  }

  function start() {
    var opts = options();
    if (opts.sizeToParent === "true") {
      AP.sizeToParent();
    } else if (opts.resize === "false") {
      autoResize = false;
    }
    if (typeof ResizeObserver === "function") {
      var observer = new ResizeObserver(reportSize);
      observer.observe(document.documentElement);
      if (document.body) {
        observer.observe(document.body);
      }
    }
    window.addEventListener("load", reportSize);
    reportSize();
  }

  function on(name, fn, once) {
    if (typeof fn !== "function") {
      return;
    }
    if (!listeners.has(name)) {
      listeners.set(name, []);
    }
    listeners.get(name).push({ fn: fn, once: !!once });
  }

  function off(name, fn) {
    var list = listeners.get(name) || [];
    listeners.set(
      name,
      list.filter(function (entry) {
        return entry.fn !== fn;
      })
    );
  }

  var AP = {
    stjSandbox: true,
    context: {
      getToken: function (callback) {
        return both(call("context.getToken"), callback);
      },
      getContext: function (callback) {
        return both(call("context.getContext"), callback);
      },
    },
    resize: function (width, height) {
      if (width === undefined && height === undefined) {
        lastHeight = -1;
        reportSize();
        return;
      }
      send("resize", { width: width, height: height });
    },
    sizeToParent: function () {
      autoResize = false;
      send("sizeToParent");
    },
    theming: {
      initializeTheming: function () {
        theming = true;
        applyTheme();
        call("theme.get").then(function (current) {
          theme = current;
          applyTheme();
        }, function (e) {
          console.warn(e.message);
        });
      },
    },
    flag: {
      create: function (opts) {
        opts = opts || {};
        var id = "flag-" + nextFlag++;
        send("flag.create", {
          id: id,
          title: String(opts.title || ""),
          body: String(opts.body || ""),
          type: String(opts.type || "info"),
          close: String(opts.close || "manual"),
        });
        return {
          _id: id,
          close: function () {
            send("flag.close", { id: id });
          },
        };
      },
    },
    navigator: {
      go: function (target, context) {
        send("navigator.go", { target: target, context: context || {} });
      },
      reload: function () {
        send("navigator.reload");
      },
      getLocation: function (callback) {
        return both(call("navigator.getLocation"), callback);
      },
    },
    jira: {
      refreshIssuePage: function () {
        send("jira.refreshIssuePage");
      },
    },
    user: {
      getCurrentUser: function (callback) {
        return both(call("user.getCurrentUser"), callback);
      },
      getTimeZone: function (callback) {
        return both(Promise.resolve(params.get("tz") || "Etc/UTC"), callback);
      },
      getLocale: function (callback) {
        return both(Promise.resolve(params.get("loc") || "en-US"), callback);
      },
    },
    events: {
      on: function (name, fn) {
        on(name, fn, false);
      },
      once: function (name, fn) {
        on(name, fn, true);
      },
      off: off,
      offAll: function (name) {
        listeners.delete(name);
      },
      emit: function (name, data) {
        send("events.emit", { name: String(name), data: data === undefined ? null : data });
      },
    },
  };
  window.AP = AP;

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
