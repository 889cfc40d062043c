// site-gen serve in a real browser: saving a file reloads the open tab with
// the new text, and a build error appears over the page, accessible, while
// the last good page stays readable; fixing it makes the overlay go away.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cp, mkdtemp, readFile, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import { launchBrowser, axeViolations } from "./harness.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const siteGen = process.env.SITE_GEN ?? join(repo, "target/debug/site-gen");
let root, server, browser, origin;

async function freePort() {
  const probe = createServer();
  await new Promise((ok) => probe.listen(0, "127.0.0.1", ok));
  const { port } = probe.address();
  await new Promise((ok) => probe.close(ok));
  return port;
}

async function until(what, check) {
  for (let i = 0; i < 300; i += 1) {
    if (await check().catch(() => false)) return;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  assert.fail(`timed out waiting: ${what}`);
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), "serve-"));
  for (const part of ["content", "themes", "municipalities", "site.yaml"]) {
    await cp(join(repo, part), join(root, part), { recursive: true });
  }
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  server = spawn(siteGen, ["serve", "--root", root, "--port", String(port), "--function-out", join(root, "function")], {
    stdio: "ignore",
  });
  await until("serve answers", async () => (await fetch(`${origin}/`)).ok);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.kill();
  await rm(root, { recursive: true, force: true });
});

async function edit(file, from, to) {
  const path = join(root, file);
  const text = await readFile(path, "utf8");
  assert.ok(text.includes(from), `${file} contains ${from}`);
  await writeFile(path, text.replace(from, to));
}

test("saving a file reloads the open tab, and a build error shows over the last good page", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/bielefeld/de/`, { waitUntil: "load" });
  // The reload script marks the page once it listens for rebuilds.
  const listening = () => page.waitForSelector('html[data-site-gen="live"]', { state: "attached" });
  await listening();

  let reloaded = page.waitForEvent("load");
  await edit("content/de/kosten.md", "| 255 Euro |", "| 255 Euro (neu) |");
  await reloaded;
  await listening();
  assert.match(await page.locator("main").innerText(), /255 Euro \(neu\)/);

  reloaded = page.waitForEvent("load");
  await edit("municipalities/bielefeld.yaml", 'ags: "05711000"', 'ags: "5711000"');
  await reloaded;
  await listening();
  const overlay = page.locator("#site-gen-error");
  assert.ok(await overlay.isVisible(), "the error is shown over the page");
  assert.match(await overlay.innerText(), /municipalities\/bielefeld\.yaml:7:6: `5711000` is not an official municipality key/);
  assert.match(await page.locator("main").innerText(), /255 Euro \(neu\)/, "the last good page stays");
  assert.deepEqual(await axeViolations(page), [], "the overlay is accessible");

  reloaded = page.waitForEvent("load");
  await edit("municipalities/bielefeld.yaml", 'ags: "5711000"', 'ags: "05711000"');
  await reloaded;
  assert.equal(await page.locator("#site-gen-error").count(), 0, "fixed: the overlay is gone");
  await context.close();
});
