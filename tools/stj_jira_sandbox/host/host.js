/* The Jira sandbox host page: answers the AP calls of the app's iframes (all.js in the frame)
 * over postMessage, only from a frame on this page and only at that frame's app origin; shows
 * flags, follows the theme switch, navigates, and re-renders the subtask list on
 * AP.jira.refreshIssuePage(). Loaded before the iframes (not deferred) so no call is missed.
 * Its page-side parts are `window.stjHost` for the Forge door's script (forge-host.js). */
(function () {
  "use strict";
  var TYPE = "stj-ap";
  var FLAG_TYPES = ["success", "info", "warning", "error"];
  var AUTO_CLOSE_MS = 8000;
  var flags = new Map();
  var nextFlag = 1;

  function frames() {
    return Array.prototype.slice.call(document.querySelectorAll("iframe.app-frame"));
  }

  function frameOf(source) {
    return (
      frames().find(function (frame) {
        return frame.contentWindow === source;
      }) || null
    );
  }

  /* Posts `msg` to `frame` at its app origin, as a message of `type` (default: the AP's). */
  function post(frame, msg, type) {
    msg.type = type || TYPE;
    if (frame.contentWindow) {
      frame.contentWindow.postMessage(msg, frame.dataset.appOrigin);
    }
  }

  function pageData() {
    return document.body ? document.body.dataset : {};
  }

  function mintToken() {
    return fetch("/sandbox/host/context-token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ page: pageData().page || "" }),
      credentials: "same-origin",
      cache: "no-store",
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("the sandbox refused a context token (" + response.status + "); reload the page");
      }
      return response.json();
    }).then(function (body) {
      return body.token;
    });
  }

  function context() {
    var data = pageData();
    var found = {};
    try {
      found = JSON.parse(data.context || "{}");
    } catch (e) {
      found = {};
    }
    if (data.license) {
      found.license = { active: data.license === "active" };
    }
    return found;
  }

  function cssSize(value) {
    if (typeof value === "number" && isFinite(value) && value >= 0) {
      return Math.ceil(value) + "px";
    }
    var text = String(value === undefined || value === null ? "" : value).trim();
    if (/^\d+(\.\d+)?$/.test(text)) {
      return Math.ceil(parseFloat(text)) + "px";
    }
    return /^\d+(\.\d+)?(px|%)$/.test(text) ? text : null;
  }

  function resize(frame, args) {
    var height = cssSize(args.height);
    var width = cssSize(args.width);
    if (height && !frame.classList.contains("sized-to-parent")) {
      frame.style.height = height;
    }
    if (width) {
      frame.style.width = width;
    }
  }

  function fit(frame) {
    var top = frame.getBoundingClientRect().top + window.scrollY;
    frame.style.height = Math.max(240, Math.floor(window.innerHeight - top - 16)) + "px";
  }

  function sizeToParent(frame) {
    if (!frame.classList.contains("sized-to-parent")) {
      frame.classList.add("sized-to-parent");
      window.addEventListener("resize", function () {
        fit(frame);
      });
    }
    fit(frame);
  }

  function closeFlag(key, notify) {
    var entry = flags.get(key);
    if (!entry) {
      return;
    }
    flags.delete(key);
    entry.element.remove();
    if (notify) {
      post(entry.frame, { kind: "event", name: "flag.close", data: { flagIdentifier: entry.id } });
    }
  }

  function showFlag(frame, args) {
    var region = document.getElementById("flags");
    var type = FLAG_TYPES.indexOf(args.type) >= 0 ? args.type : "info";
    var key = frame.id + ":" + String(args.id);
    var element = document.createElement("div");
    element.id = "host-flag-" + nextFlag++;
    element.className = "flag flag-" + type;
    element.dataset.flagType = type;
    element.setAttribute("role", type === "error" || type === "warning" ? "alert" : "status");
    var title = document.createElement("p");
    title.className = "flag-title";
    title.textContent = String(args.title || "");
    element.appendChild(title);
    if (args.body) {
      var body = document.createElement("p");
      body.className = "flag-body";
      body.textContent = String(args.body);
      element.appendChild(body);
    }
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "flag-close";
    dismiss.setAttribute("aria-label", "Dismiss: " + title.textContent);
    dismiss.textContent = "\u00d7";
    dismiss.addEventListener("click", function () {
      closeFlag(key, true);
    });
    element.appendChild(dismiss);
    closeFlag(key, false);
    flags.set(key, { element: element, frame: frame, id: args.id });
    region.appendChild(element);
    if (args.close === "auto") {
      setTimeout(function () {
        closeFlag(key, true);
      }, AUTO_CLOSE_MS);
    }
  }

  function enc(value) {
    return encodeURIComponent(String(value));
  }

  function navigate(target, ctx) {
    ctx = ctx || {};
    var inner = ctx.context || {};
    var project = ctx.projectKey || inner["project.key"] || inner.projectKey;
    var url = null;
    if (target === "issue" && /^[A-Za-z][A-Za-z0-9_]*-\d+$/.test(String(ctx.issueKey || ""))) {
      url = "/browse/" + enc(ctx.issueKey);
    } else if (target === "addonmodule" && ctx.moduleKey) {
      url = "/plugins/servlet/ac/" + enc(ctx.addonKey || pageData().appKey) + "/" + enc(ctx.moduleKey);
      if (project) {
        url += "?project.key=" + enc(project);
      }
    } else if (target === "projectAdminTabPanel" && ctx.adminPageKey && project) {
      url = "/projects/" + enc(project) + "/apps/" + enc(ctx.adminPageKey);
    } else if (target === "site" && /^\/(?![\/\\])/.test(String(ctx.relativeUrl || ""))) {
      url = ctx.relativeUrl;
    }
    if (!url) {
      throw new Error("AP.navigator.go: the sandbox does not know target " + target);
    }
    window.location.assign(url);
  }

  function refreshSubtasks() {
    var box = document.getElementById("subtasks");
    if (!box) {
      return Promise.resolve(null);
    }
    var url = "/sandbox/host/pages/" + enc(pageData().page || "") + "/subtasks";
    return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok) {
        throw new Error("refreshing the issue failed (" + response.status + ")");
      }
      return response.text();
    }).then(function (html) {
      box.innerHTML = html;
      box.dataset.refreshes = String(Number(box.dataset.refreshes || "0") + 1);
      return null;
    });
  }

  function setTheme(mode) {
    document.documentElement.setAttribute("data-color-mode", mode);
    document.cookie = "stj_host_theme=" + mode + "; Path=/; SameSite=Strict; Max-Age=31536000";
    var toggle = document.getElementById("theme-toggle");
    if (toggle) {
      toggle.setAttribute("aria-pressed", String(mode === "dark"));
      toggle.value = mode === "dark" ? "light" : "dark";
    }
    frames().forEach(function (frame) {
      if (frame.dataset.door !== "forge") {
        post(frame, { kind: "event", name: "theme", data: { colorMode: mode } });
      }
    });
  }

  var HANDLERS = {
    "context.getToken": mintToken,
    "context.getContext": context,
    "user.getCurrentUser": function () {
      return { atlassianAccountId: pageData().accountId || "" };
    },
    resize: function (args, frame) {
      resize(frame, args);
    },
    sizeToParent: function (args, frame) {
      sizeToParent(frame);
    },
    "theme.get": function () {
      return { colorMode: document.documentElement.getAttribute("data-color-mode") || "light" };
    },
    "flag.create": function (args, frame) {
      showFlag(frame, args);
    },
    "flag.close": function (args, frame) {
      closeFlag(frame.id + ":" + String(args.id), false);
    },
    "navigator.go": function (args) {
      navigate(args.target, args.context);
    },
    "navigator.reload": function () {
      window.location.reload();
    },
    "navigator.getLocation": function () {
      return { href: window.location.href, context: context() };
    },
    "jira.refreshIssuePage": refreshSubtasks,
    "events.emit": function (args, frame) {
      frames().forEach(function (other) {
        if (other !== frame) {
          post(other, { kind: "event", name: String(args.name), data: args.data });
        }
      });
    },
  };

  /* Answers one door's calls: messages of `type` from a frame on this page that `accepts`, at
   * that frame's app origin. `read(msg, frame)` names the call (`{name, args, unsupported}`, the
   * last the error for a name without a handler) or returns null when it handles the message
   * itself; the handler's value or error goes back to the frame under the call's id. */
  function answer(type, accepts, handlers, read) {
    window.addEventListener("message", function (event) {
      var frame = frameOf(event.source);
      if (!frame || !accepts(frame) || event.origin !== frame.dataset.appOrigin) {
        return;
      }
      var msg = event.data;
      if (!msg || msg.type !== type) {
        return;
      }
      var call = read(msg, frame);
      if (!call) {
        return;
      }
      var handler = Object.prototype.hasOwnProperty.call(handlers, call.name) ? handlers[call.name] : null;
      var result = handler
        ? Promise.resolve().then(function () {
            return handler(call.args || {}, frame);
          })
        : Promise.reject(new Error(call.unsupported));
      result.then(
        function (value) {
          post(frame, { kind: "result", id: msg.id, ok: true, value: value === undefined ? null : value }, type);
        },
        function (error) {
          post(frame, { kind: "result", id: msg.id, ok: false, error: String((error && error.message) || error) }, type);
        }
      );
    });
  }

  window.stjHost = Object.freeze({
    frameOf: frameOf,
    post: post,
    answer: answer,
    pageData: pageData,
    context: context,
    resize: resize,
    showFlag: showFlag,
    closeFlag: closeFlag,
    navigate: navigate,
    refreshSubtasks: refreshSubtasks,
  });

  answer(
    TYPE,
    function (frame) {
      return frame.dataset.door !== "forge";
    },
    HANDLERS,
    function (msg) {
      if (msg.kind !== "call" || typeof msg.method !== "string") {
        return null;
      }
      return { name: msg.method, args: msg.args, unsupported: "AP." + msg.method + " is not supported by the sandbox" };
    }
  );

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("theme-form");
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var now = document.documentElement.getAttribute("data-color-mode");
        setTheme(now === "dark" ? "light" : "dark");
      });
    }
  });
})();
