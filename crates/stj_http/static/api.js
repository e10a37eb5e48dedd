// Calls to the app's own API through the host seam (`host.request`: a fresh credential per call,
// whichever door); errors are RFC 9457 problem documents, turned into ApiError with the fields
// the views need.

import * as host from "./host.js";
import { sleep } from "./dom.js";

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.code) || (status === 0 ? "network" : `http_${status}`);
    this.body = body || {};
    this.problems = (body && body.problems) || [];
    this.retryAfter = retryAfter;
  }
}

// Retry-After waits shorter than this are waited out for the user; longer ones are shown.
const MAX_AUTO_WAIT_S = 10;

/**
 * `call("POST", "/api/v1/…", body, {headers, onWait})` → parsed JSON. 429s are waited out once
 * (`onWait(seconds)` lets the view say so); network failures become ApiError(0).
 */
export async function call(method, path, body, options = {}) {
  for (let attempt = 0; ; attempt += 1) {
    let response;
    try {
      response = await host.request(method, path, {
        headers: { Accept: "application/json", ...(options.headers || {}) },
        body,
      });
    } catch {
      throw new ApiError(0, { title: "Could not reach Subtask Templates", detail: "Check your connection and try again." });
    }
    const text = response.text;
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    if (response.status >= 200 && response.status < 300) { return json; }
    const retryAfter = Number(response.headers.get("Retry-After")) || 0;
    if (response.status === 429 && attempt === 0 && retryAfter <= MAX_AUTO_WAIT_S) {
      if (options.onWait) { options.onWait(retryAfter || 1); }
      await sleep((retryAfter || 1) * 1000);
      continue;
    }
    throw new ApiError(response.status, json, retryAfter);
  }
}

/** What a user should read for an error, and whether trying again can help. */
export function explain(err) {
  if (!(err instanceof ApiError)) {
    return { title: "Something went wrong", detail: "Reload the page and try again.", retry: true };
  }
  const detail = err.body.detail || err.message;
  switch (err.code) {
    case "licence_unavailable":
      return { title: "Could not check the app's licence", detail: "Jira did not answer. Try again in a moment.", retry: true };
    case "licence_inactive":
      return { title: "Subtask Templates needs a licence", detail: "Ask a Jira admin to renew the app's licence. Nothing was changed.", retry: false, unlicensed: true };
    case "rate_limited":
      return { title: "Too many requests", detail: `Jira or the app is busy. Try again in ${err.retryAfter || "a few"} seconds.`, retry: true };
    case "jira_forbidden":
      return { title: "Jira does not allow this", detail, retry: false };
    case "revision_conflict":
      return { title: "Changed elsewhere", detail, retry: false };
    case "network":
      return { title: "Could not reach Subtask Templates", detail: "Check your connection and try again. Nothing is lost.", retry: true };
    default:
      if (err.status === 401) { return { title: "Your Jira session expired", detail: "Reload the page to sign in again.", retry: false }; }
      if (err.status >= 500 || err.code === "jira_unavailable") {
        return { title: "Jira is not answering", detail: "Jira did not answer in time. Nothing was lost; try again in a moment.", retry: true };
      }
      return { title: err.body.title || "Request refused", detail, retry: false };
  }
}
