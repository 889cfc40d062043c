// End to end in a real browser with JavaScript off (the form as one page,
// as it works without the assistant): a citizen fills in the built form,
// form-fn (a real process on 127.0.0.1) refuses a wrong birth date with the
// form again, accepts the corrected application, and the browser lands on
// the confirmation page, which says where the reference is; the office
// opens the stored file with the age CLI and finds exactly the answers.
// With JavaScript, a refusal only the server makes (its clock decides)
// opens the assistant at the refused step with the server's summary;
// axe-core checks that page and the confirmation page (axe needs
// JavaScript). The assistant itself: assistant.test.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { serveSite, launchBrowser, axeViolations, startFormFn, fillApplication, sampleValues, walkAssistant, continueTo } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const sitePort = Number(process.env.SITE_PORT ?? 18090);
const formPort = Number(process.env.FORM_PORT ?? 18091);

let site, browser, formFn, store;
before(async () => {
  site = await serveSite(sitePort);
  formFn = await startFormFn(formPort);
  store = formFn.store;
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  formFn?.stop();
  await site?.close();
});

function storedFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? storedFiles(path) : [path];
  });
}

test("without JavaScript a citizen corrects a refused field, submits, and the office reads exactly the answers", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const origins = new Set();
  page.on("request", (r) => origins.add(new URL(r.url()).origin));
  await page.goto(`http://127.0.0.1:${sitePort}/bielefeld/de/apply/`);
  assert.equal(await page.locator("fieldset.section").count(), 9, "every section on one page");
  assert.equal(await page.locator("[data-step-continue], .draft").count(), 0, "no assistant, no draft");
  // A limit relative to today is not in the HTML: only the server refuses it.
  await fillApplication(page, "2020-01-01");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  assert.equal(new URL(page.url()).origin, `http://127.0.0.1:${formPort}`, "form-fn answered");
  const summary = page.locator(".error-summary");
  assert.ok(await summary.isVisible(), "error summary shown");
  assert.match(await summary.innerText(), /Ab 16 Jahren stellen Sie den Antrag selbst/);
  assert.equal(await page.inputValue("#f-family_name"), "Yılmaz", "values kept");
  await page.click(".error-summary a");
  assert.equal(await page.evaluate(() => document.activeElement.id), "f-birth_date", "the summary link leads to the field");

  await page.fill("#f-birth_date", "1990-05-17");
  await Promise.all([page.waitForURL(/\/apply\/done\/\?ref=/), page.click("button[type=submit]")]);
  const url = new URL(page.url());
  assert.equal(url.origin, `http://127.0.0.1:${sitePort}`);
  const reference = url.searchParams.get("ref");
  assert.match(reference, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
  assert.ok(await page.locator("[data-reference-fallback]").isVisible(), "the page says where the reference is");
  assert.deepEqual([...origins].sort(), [`http://127.0.0.1:${formPort}`, `http://127.0.0.1:${sitePort}`].sort(), "no third-party origin");

  const files = storedFiles(join(store, "submissions"));
  assert.equal(files.length, 1);
  assert.ok(files[0].endsWith(`${reference}.age`));
  const plain = execFileSync("age", ["-d", "-i", resolve(here, "../keys/bielefeld.txt"), files[0]]);
  const document = JSON.parse(plain.toString());
  assert.deepEqual(document.values, sampleValues(), "the office sees exactly the answers");
  await context.close();
});

test("with JavaScript a refusal by the server opens the assistant at the refused step", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${sitePort}/bielefeld/de/apply/`);
  await walkAssistant(page);
  // As if the browser's clock were wrong: its check passed, the server's does not.
  await page.evaluate(() => {
    document.getElementById("f-birth_date").value = "2020-01-01";
    HTMLFormElement.prototype.submit.call(document.querySelector("form.application"));
  });
  await page.waitForURL(`http://127.0.0.1:${formPort}/**`);
  await page.locator("fieldset.section:not([hidden])").waitFor();
  assert.match(await page.locator(".error-summary").innerText(), /Ab 16 Jahren stellen Sie den Antrag selbst/);
  assert.equal(await page.evaluate(() => document.activeElement.className), "error-summary", "focus on the summary");
  assert.match(await page.locator("fieldset.section:not([hidden]) legend h2").innerText(), /^Schritt 1 von 10/, "at the refused step");
  assert.equal(await page.locator(".draft").count(), 0, "no draft on form-fn's page (another origin)");
  assert.deepEqual(await axeViolations(page), [], "form with errors: axe-core violations");
  await page.click(".error-summary a");
  assert.equal(await page.evaluate(() => document.activeElement.id), "f-birth_date");
  await page.fill("#f-birth_date", "1990-05-17");
  for (let step = 2; step <= 10; step += 1) await continueTo(page, step);
  await Promise.all([page.waitForURL(/\/apply\/done\/\?ref=/), page.click("button[type=submit]")]);
  const reference = new URL(page.url()).searchParams.get("ref");
  assert.equal(await page.locator("[data-reference]").innerText(), reference);
  assert.deepEqual(await axeViolations(page), [], "confirmation page: axe-core violations");
  await context.close();
});
