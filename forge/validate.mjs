// Validates a Forge manifest with Atlassian's own validators from the pinned @forge/manifest:
// every validator of the chains its ProcessorBuilder builds (ValidationTypes: the JSON schemas,
// then the ManifestValidator steps: modules, resources, permissions/scopes, remotes, regions,
// remote auth scopes, display conditions, triggers, …). All of them run offline: they read the
// manifest and the resource folders it names, nothing else. Any error-level finding fails.
// Usage: node validate.mjs [manifest.yml]  (exit 1 on errors)

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const {
  AbstractValidationProcessor, AgentProductContextScopesValidator, ProcessorBuilder,
  ProductTriggerScopesValidator, ValidationTypes,
} = require("@forge/manifest");

const RESOURCES = "path: ../target/forge/custom-ui/";

/**
 * `text` with its resource folders at `dir` (the build's place when CARGO_TARGET_DIR moves it:
 * STJ_FORGE_CUSTOM_UI), written to a scratch file; line numbers stay the same.
 */
export function relocated(text, name, dir = process.env.STJ_FORGE_CUSTOM_UI) {
  const scratch = mkdtempSync(join(tmpdir(), "stj-forge-manifest-"));
  const target = dir || resolve(import.meta.dirname, "../target/forge/custom-ui");
  const file = join(scratch, name);
  writeFileSync(file, text.replaceAll(RESOURCES, `path: ${target}/`));
  return file;
}

const OUT = resolve(require.resolve("@forge/manifest"), "..");
const mapping = (name) => JSON.parse(readFileSync(join(OUT, "mapping", name), "utf8"));

/**
 * Atlassian's chains: the basic one (its own schema), and the full one (what `forge lint` and
 * `forge deploy` run) with the two validators only the product-trigger and agent-context chains
 * add, built as those chains build them. The remote-compute and deprecated-* chains are subsets
 * of the full one. Building each chain would compile the full schema once per chain (seconds each).
 */
function chains() {
  const basic = ProcessorBuilder.instance().withValidation(ValidationTypes.BASIC).build();
  const full = ProcessorBuilder.instance().withValidation(ValidationTypes.FULL).build();
  const extra = [
    new ProductTriggerScopesValidator(mapping("product-event-to-scope-mapping.json")),
    new AgentProductContextScopesValidator(mapping("agent-product-context-to-scope-mapping.json")),
  ];
  return [["basic", basic], ["full", new (class extends AbstractValidationProcessor {})([...full.validators, ...extra])]];
}

let cached = null;
/** The validator classes that run, by chain (for the report). */
export function validatorNames() {
  cached = cached || chains();
  return cached.map(([type, p]) => `${type}: ${p.validators.map((v) => v.constructor.name).join(", ")}`);
}

/** `{type, level, message, line}` for every finding of every chain, errors first. */
export async function validateManifest(file) {
  cached = cached || chains();
  const findings = [];
  for (const [type, processor] of cached) {
    const result = await processor.process(file);
    for (const e of result.errors || []) {
      findings.push({ type, level: e.level || "error", message: String(e.message).trim(), line: e.line ?? 0 });
    }
    if (!result.success && !(result.errors || []).length) {
      findings.push({ type, level: "error", message: "validation failed without a message", line: 0 });
    }
  }
  // One problem is often reported by several chains (the schema step is in most): once is enough.
  const seen = new Set();
  return findings.filter((f) => {
    const key = `${f.level}|${f.line}|${f.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  }).sort((a, b) => (a.level === "error" ? 0 : 1) - (b.level === "error" ? 0 : 1));
}

if (import.meta.url === pathToFileURL(process.argv[1] || "").href) {
  const file = resolve(process.argv[2] || "manifest.yml");
  const moved = process.env.STJ_FORGE_CUSTOM_UI ? relocated(readFileSync(file, "utf8"), "manifest.yml") : file;
  const findings = await validateManifest(moved);
  for (const f of findings) {
    console.log(`${f.level} ${file}:${f.line} [${f.type}] ${f.message}`);
  }
  const errors = findings.filter((f) => f.level === "error").length;
  const pkg = JSON.parse(readFileSync(join(OUT, "..", "package.json"), "utf8"));
  for (const line of validatorNames()) { console.log(`ran ${line}`); }
  console.log(`@forge/manifest ${pkg.version}: ${errors} error(s), ${findings.length - errors} warning(s)`);
  process.exitCode = errors ? 1 : 0;
}
