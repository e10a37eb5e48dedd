/* The Forge door of the Jira sandbox host page: answers the bridge calls of the app's Custom UI
 * frames (forge-bridge.js, injected into them by the sandbox's Forge CDN) over postMessage, only
 * from a Forge frame on this page at that frame's CDN origin. `invoke` (what @forge/bridge's
 * invokeRemote sends) goes to the sandbox's invoke proxy, which mints a fresh invocation token
 * for this page's user and module and calls the app's remote, as Forge's platform does. Flags,
 * navigation, the subtask list and the answering of calls reuse the Connect door's page parts
 * (window.stjHost). */
(function () {
  "use strict";
  var TYPE = "stj-forge";
  var host = window.stjHost;

  function post(frame, msg) {
    host.post(frame, msg, TYPE);
  }

  function colorMode() {
    return document.documentElement.getAttribute("data-color-mode") === "dark" ? "dark" : "light";
  }

  /* What view.getContext() resolves to in Forge, for this page and module. */
  function forgeContext(frame) {
    var data = host.pageData();
    var jira = host.context().jira || {};
    var extension = { type: frame.dataset.moduleType };
    if (jira.issue) {
      extension.issue = { id: jira.issue.id, key: jira.issue.key, typeId: (jira.issue.issuetype || {}).id };
    }
    if (jira.project) {
      extension.project = { id: jira.project.id, key: jira.project.key, type: "software" };
    }
    var ctx = {
      accountId: data.accountId || "",
      cloudId: data.cloudId || "",
      siteUrl: data.siteUrl || window.location.origin,
      environmentType: "DEVELOPMENT",
      environmentId: "sandbox",
      localId: frame.id,
      locale: "en-US",
      timezone: "Etc/UTC",
      moduleKey: frame.dataset.moduleKey,
      extension: extension,
      theme: { colorMode: colorMode() },
    };
    if (data.license) {
      ctx.license = { isActive: data.license === "active" };
    }
    return ctx;
  }

  function invoke(frame, payload) {
    payload = payload || {};
    return fetch("/__host/forge/invoke", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        page: host.pageData().page || "",
        module: frame.dataset.moduleKey,
        path: String(payload.path || ""),
        method: String(payload.method || "GET"),
        headers: payload.headers || {},
        body: payload.body === undefined ? null : payload.body,
      }),
      credentials: "same-origin",
      cache: "no-store",
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("the sandbox's invoke proxy answered " + response.status);
      }
      return response.json();
    }).then(function (answer) {
      return { success: true, payload: answer };
    });
  }

  function navigate(payload) {
    payload = payload || {};
    if (payload.target === "issue") {
      host.navigate("issue", { issueKey: payload.issueKey });
    } else if (typeof payload.url === "string" && /^\/(?![\/\\])/.test(payload.url)) {
      if (payload.type === "new-tab") {
        window.open(payload.url, "_blank", "noopener");
      } else {
        window.location.assign(payload.url);
      }
    } else {
      throw new Error("router: the sandbox does not know target " + payload.target);
    }
  }

  var HANDLERS = {
    getContext: function (payload, frame) {
      return forgeContext(frame);
    },
    invoke: function (payload, frame) {
      return invoke(frame, payload);
    },
    enableTheming: function () {
      return { colorMode: colorMode() };
    },
    showFlag: function (payload, frame) {
      host.showFlag(frame, {
        id: payload.id,
        title: payload.title,
        body: payload.description,
        type: payload.type,
        close: payload.isAutoDismiss ? "auto" : "manual",
      });
    },
    closeFlag: function (payload, frame) {
      host.closeFlag(frame.id + ":" + String(payload.id), false);
    },
    navigate: navigate,
    refresh: function () {
      return host.refreshSubtasks().then(function () {
        return true;
      });
    },
    reload: function () {
      window.location.reload();
    },
  };

  host.answer(
    TYPE,
    function (frame) {
      return frame.dataset.door === "forge";
    },
    HANDLERS,
    function (msg, frame) {
      if (msg.kind === "resize") {
        host.resize(frame, { height: msg.height });
        return null;
      }
      if (msg.kind !== "call" || typeof msg.name !== "string") {
        return null;
      }
      return {
        name: msg.name,
        args: msg.payload,
        unsupported: "Forge bridge call " + msg.name + " is not supported by the sandbox",
      };
    }
  );

  /* The theme switch flips <html data-color-mode>; Forge frames that enabled theming follow. */
  new MutationObserver(function () {
    document.querySelectorAll("iframe.app-frame[data-door=forge]").forEach(function (frame) {
      post(frame, { kind: "event", name: "theme", data: { colorMode: colorMode() } });
    });
  }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-color-mode"] });
})();
