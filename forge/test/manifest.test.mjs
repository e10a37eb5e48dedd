// The manifest passes Atlassian's validators, and each kind of mistake in a copy of it fails them
// (so the CI step can fail). Needs the Custom UI build (`cargo xtask forge-build`): the resources
// validator checks every resource folder and its index.html.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { relocated, validateManifest } from "../validate.mjs";

const MANIFEST = resolve(import.meta.dirname, "../manifest.yml");
const ORIGINAL = readFileSync(MANIFEST, "utf8");

/** A scratch copy with `from` replaced by `to` (resource paths made absolute). */
function mutated(name, from, to) {
  assert.ok(ORIGINAL.includes(from), `the manifest no longer contains ${JSON.stringify(from)}`);
  return relocated(ORIGINAL.replace(from, to), `${name}.yml`);
}

const errors = async (file) => (await validateManifest(file)).filter((f) => f.level === "error");

test("the manifest has no errors", async () => {
  assert.deepEqual(await errors(mutated("manifest", "app:", "app:")), []);
});

const BROKEN = [
  ["unknown scope", "    - read:issue:jira\n", "    - read:issue:jira\n    - write:everything:jira\n", /write:everything:jira/],
  ["module names a missing resource", "      resource: my-templates\n", "      resource: no-such-thing\n", /no-such-thing/],
  ["resource folder missing", "path: ../target/forge/custom-ui/issue\n", "path: ../target/forge/custom-ui/nowhere\n", /nowhere/],
  ["region map without default", "      default: https://subtask-templates.example.com\n", "      US: https://subtask-templates.example.com\n", /default|baseUrl|remotes/i],
  ["trigger sent to an unknown endpoint", "      endpoint: stj-events\n", "      endpoint: stj-nowhere\n", /stj-nowhere/],
  ["Connect key with a space", "    key: io.subtask-templates.jira\n", "    key: io subtask templates\n", /key|pattern|connect/i],
  ["Custom UI module without a title", "      title: My subtask templates\n", "", /title/],
  ["endpoint names no remote", "    - key: stj-api\n      remote: stj-backend\n", "    - key: stj-api\n      remote: nowhere\n", /nowhere|remote/i],
];

for (const [name, from, to, expected] of BROKEN) {
  test(`a broken manifest fails: ${name}`, async () => {
    const found = await errors(mutated(name.replace(/\W+/g, "-"), from, to));
    assert.ok(found.length > 0, `no error for: ${name}`);
    assert.ok(found.some((f) => expected.test(f.message)), `no error matching ${expected}: ${JSON.stringify(found)}`);
  });
}
