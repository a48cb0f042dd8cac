import assert from "node:assert/strict";
import * as fs from "node:fs";
import { it } from "node:test";
import { DOC_PATH, README_PATH, renderDoc, withReadmeTable } from "../../policies/docs";
import { registry } from "../../policies/rules";

it("docs/policies.md is generated from the registry (run npm run docs:policies)", () => {
    assert.equal(fs.readFileSync(DOC_PATH, "utf8"), renderDoc());
});

it("README.md's rule table is generated from the registry (run npm run docs:policies)", () => {
    const readme = fs.readFileSync(README_PATH, "utf8");
    assert.equal(readme, withReadmeTable(readme));
    for (const rule of registry.all()) assert.ok(readme.includes(`| \`${rule.name}\` |`), rule.name);
});

it("documents every rule", () => {
    const doc = renderDoc();
    for (const rule of registry.all()) assert.ok(doc.includes(`#### \`${rule.name}\``), rule.name);
});
