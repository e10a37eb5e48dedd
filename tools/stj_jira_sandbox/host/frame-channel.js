/* The part of the sandbox's frame scripts both doors share: Connect's all.js and the Forge
 * platform's bridge (forge-bridge.js) are each served with this file in front of them, in one
 * function scope, so nothing here becomes a global of the app's frame. The frame's side of the
 * postMessage channel to the host page (calls answered by id, events), the check on who may
 * answer (only the parent, only at the host origin), the theme attributes and the content height
 * the frame reports. A classic script without eval. */

/* The origin of an http(s) URL, else null. */
function originOf(url) {
  try {
    var parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : null;
  } catch (e) {
    return null;
  }
}

/* Messages of `type` to and from the parent at `hostOrigin`. `call(fields, what)` posts
 * `{kind: "call", id, ...fields}` and resolves with the host's answer to that id; events from the
 * host go to `onEvent(name, data)`; `post(msg)` sends anything else. `what` names the call in
 * errors ("AP.resize", "Forge bridge"). */
function frameChannel(type, hostOrigin, onEvent) {
  var inFrame = window.parent !== window && !!hostOrigin;
  var nextId = 1;
  var pending = new Map();

  function post(msg) {
    msg.type = type;
    window.parent.postMessage(msg, hostOrigin);
  }

  function call(fields, what) {
    return new Promise(function (resolve, reject) {
      if (!inFrame) {
        reject(new Error(what + ": not inside a Jira (sandbox) page"));
        return;
      }
      var id = nextId++;
      pending.set(id, { resolve: resolve, reject: reject, what: what });
      var msg = { kind: "call", id: id };
      Object.keys(fields).forEach(function (name) {
        msg[name] = fields[name];
      });
      try {
        post(msg);
      } catch (e) {
        pending.delete(id);
        reject(new Error(what + " cannot be sent (" + e.message + ")"));
      }
    });
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || event.origin !== hostOrigin) {
      return;
    }
    var msg = event.data;
    if (!msg || msg.type !== type) {
      return;
    }
    if (msg.kind === "result" && pending.has(msg.id)) {
      var waiting = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.ok) {
        waiting.resolve(msg.value);
      } else {
        waiting.reject(new Error(msg.error || waiting.what + " failed"));
      }
    } else if (msg.kind === "event" && typeof msg.name === "string") {
      onEvent(msg.name, msg.data);
    }
  });

  return { inFrame: inFrame, call: call, post: post };
}

/* Atlassian's design-token attributes on <html>: the colour mode and the themes loaded. */
function applyColorMode(colorMode, themes) {
  var html = document.documentElement;
  html.setAttribute("data-color-mode", colorMode === "dark" ? "dark" : "light");
  html.setAttribute("data-theme", themes);
}

/* The content's height: the root element's box, or what overflows it when the page pins
 * html/body to the viewport. */
function contentHeight() {
  var html = document.documentElement;
  var height = html.getBoundingClientRect().height;
  var body = document.body;
  if (body) {
    var margin = parseFloat(window.getComputedStyle(body).marginBottom) || 0;
    height = Math.max(height, body.getBoundingClientRect().bottom + window.scrollY + margin);
  }
  if (html.scrollHeight > html.clientHeight) {
    height = Math.max(height, html.scrollHeight);
  }
  return Math.ceil(height);
}
