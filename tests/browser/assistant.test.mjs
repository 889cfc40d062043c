// The application as a step-by-step assistant, in headless Chromium against
// a real form-fn: every step is axe-clean, a mistake is refused on its step
// with the server's message and corrected, an answer is changed from the
// review, the application is sent, and the office decrypts exactly those
// values (without JavaScript: submit.test.mjs). The draft on this device: off until switched on, kept across a
// reload, deleted by its button and after sending; nothing leaves the
// browser before the citizen sends the application.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { serveSite, launchBrowser, axeViolations, startFormFn, applicationSteps, sampleValues, continueTo } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const sitePort = Number(process.env.SITE_PORT ?? 18090);
const formPort = Number(process.env.FORM_PORT ?? 18091);
const formOrigin = `http://127.0.0.1:${formPort}`;
const applyUrl = `http://127.0.0.1:${sitePort}/bielefeld/de/apply/`;
const draftKey = "apply-draft:/bielefeld";
const pdf = Buffer.from("%PDF-1.4\n% a passport scan\n%%EOF\n");

let site, browser, formFn;
before(async () => {
  site = await serveSite(sitePort);
  formFn = await startFormFn(formPort);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  formFn?.stop();
  await site?.close();
});

const steps = {
  ...applicationSteps,
  documents: (page) => page.setInputFiles("#f-documents", { name: "pass.pdf", mimeType: "application/pdf", buffer: pdf }),
};

const visibleHeading = (page) => page.locator("fieldset.section:not([hidden]) legend h2, .review:not([hidden]) #review-title");
const focusedText = (page) => page.evaluate(() => document.activeElement?.textContent ?? "");

function storedFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? storedFiles(path) : [path];
  });
}

/** The office's view: the application with `reference`, decrypted with the age CLI. */
function opened(reference) {
  const file = storedFiles(join(formFn.store, "submissions")).find((f) => f.endsWith(`${reference}.age`));
  assert.ok(file, `${reference} was stored`);
  return JSON.parse(execFileSync("age", ["-d", "-i", resolve(here, "../keys/bielefeld.txt"), file]).toString());
}

test("the assistant leads step by step, refuses a mistake on its step, and the office gets exactly the answers", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const posts = [];
  page.on("request", (r) => r.url().startsWith(formOrigin) && posts.push(r.method()));
  await page.goto(applyUrl);
  assert.match(await visibleHeading(page).innerText(), /^Schritt 1 von 10\s*:?\s*Angaben zu Ihrer Person$/);
  assert.equal(await page.locator("fieldset.section:not([hidden])").count(), 1, "one step at a time");
  assert.equal(await page.locator("button[type=submit]").isVisible(), false, "sending waits for the review");

  // A mistake: a birth date under 16 is refused on this step, with the server's words.
  await steps.person(page);
  await page.fill("#f-birth_date", "2020-01-01");
  await page.click("fieldset.section:not([hidden]) [data-step-continue]");
  const summary = page.locator(".error-summary");
  await summary.waitFor();
  assert.match(await summary.innerText(), /Ab 16 Jahren stellen Sie den Antrag selbst/);
  assert.equal(await page.evaluate(() => document.activeElement.className), "error-summary", "focus on the summary");
  assert.match(await page.locator("#f-birth_date-error").innerText(), /Ab 16 Jahren/);
  assert.equal(await page.getAttribute("#f-birth_date", "aria-invalid"), "true");
  assert.match(await visibleHeading(page).innerText(), /^Schritt 1 von 10/, "still on the first step");
  assert.equal(await page.inputValue("#f-family_name"), "Yılmaz", "values kept");
  assert.deepEqual(await axeViolations(page), [], "step with an error: axe-core violations");
  await page.click(".error-summary a");
  assert.equal(await page.evaluate(() => document.activeElement.id), "f-birth_date", "the summary link leads to the field");
  await page.fill("#f-birth_date", "1990-05-17");

  // Every step in turn, each axe-clean, the heading focused on arrival.
  const order = Object.keys(steps);
  for (const [index, id] of order.entries()) {
    if (index > 0) await steps[id](page);
    await continueTo(page, index + 2);
    assert.equal(await page.locator(".error-summary").count(), 0, `${id}: no error left`);
    assert.deepEqual(await axeViolations(page), [], `step ${index + 2}: axe-core violations`);
  }
  assert.match(await focusedText(page), /Prüfen Sie Ihre Angaben$/);

  // The review lists the answers; one is changed and the review comes back.
  const answer = (label) => page.locator(".summary-row", { has: page.locator("dt", { hasText: new RegExp(`^${label}$`) }) }).locator("dd").first();
  assert.equal(await answer("Familienname").innerText(), "Yılmaz");
  assert.equal(await answer("Geburtsstaat").innerText(), "Türkei");
  assert.equal(await answer("Dokumente").innerText(), "pass.pdf");
  await page.locator(".summary-row", { has: page.locator("dt", { hasText: /^Vornamen$/ }) }).locator("a[data-change]").click();
  assert.equal(await page.evaluate(() => document.activeElement.id), "f-given_names", "Change leads to the field");
  assert.match(await visibleHeading(page).innerText(), /^Schritt 1 von 10/);
  await page.fill("#f-given_names", "Ayşe Nur");
  await continueTo(page, 10);
  assert.equal(await answer("Vornamen").innerText(), "Ayşe Nur", "back on the review with the new answer");
  assert.deepEqual(posts, [], "nothing was sent before the citizen sends the application");

  await Promise.all([page.waitForURL(/\/apply\/done\/\?ref=/), page.click("button[type=submit]")]);
  assert.deepEqual(posts, ["POST"], "one request to form-fn: the application");
  const reference = new URL(page.url()).searchParams.get("ref");
  const document = opened(reference);
  assert.deepEqual(document.values, sampleValues("Ayşe Nur"), "the office sees exactly the answers");
  assert.deepEqual(document.attachments.map((a) => [a.name, a.media_type]), [["pass.pdf", "application/pdf"]]);
  await context.close();
});

test("a draft is kept only when asked for, survives a reload, and is deleted by its button and after sending", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const posts = [];
  page.on("request", (r) => r.url().startsWith(formOrigin) && posts.push(r.method()));
  await page.goto(applyUrl);
  const stored = () => page.evaluate((key) => localStorage.getItem(key), draftKey);
  assert.equal(await page.isChecked("#draft-keep"), false, "off by default");
  assert.match(await page.locator(".draft").innerText(), /Wer diesen Browser benutzt, kann den Entwurf lesen/);
  assert.match(await page.locator(".draft").innerText(), /Hochgeladene Dokumente werden nicht gespeichert/);
  await page.fill("#f-family_name", "Yılmaz");
  await page.waitForTimeout(500);
  assert.equal(await stored(), null, "nothing kept before it is switched on");

  await page.check("#draft-keep");
  await page.fill("#f-given_names", "Ayşe");
  await page.locator(".draft-status", { hasText: "Entwurf gespeichert" }).waitFor();
  await page.waitForFunction((key) => (localStorage.getItem(key) ?? "").includes("Ayşe"), draftKey);
  assert.deepEqual(await axeViolations(page), [], "with the draft box: axe-core violations");

  await page.reload();
  assert.equal(await page.inputValue("#f-family_name"), "Yılmaz", "the draft survives a reload");
  assert.equal(await page.inputValue("#f-given_names"), "Ayşe");
  assert.equal(await page.isChecked("#draft-keep"), true);
  assert.match(await page.locator(".draft-status").innerText(), /wurde wieder eingesetzt/);

  await page.click("[data-draft-delete]");
  assert.match(await page.locator(".draft-status").innerText(), /gelöscht/);
  assert.equal(await stored(), null, "the button deletes it");
  await page.reload();
  assert.equal(await page.inputValue("#f-family_name"), "", "nothing comes back after deleting");
  assert.equal(await page.isChecked("#draft-keep"), false);

  // Kept while the whole application is filled in, documents left out, gone after sending.
  await page.check("#draft-keep");
  for (const [index, step] of Object.values(steps).entries()) {
    await step(page);
    if (index < 8) await continueTo(page, index + 2);
  }
  await page.waitForFunction((key) => (localStorage.getItem(key) ?? "").includes("ayse@example.org"), draftKey);
  const draft = JSON.parse(await stored());
  assert.ok(draft.values.some(([name, value]) => name === "email" && value === "ayse@example.org"));
  assert.ok(!draft.values.some(([name]) => name === "documents"), "documents are not kept");
  await continueTo(page, 10);
  assert.deepEqual(posts, [], "nothing was sent before the citizen sends the application");
  await Promise.all([page.waitForURL(/\/apply\/done\/\?ref=/), page.click("button[type=submit]")]);
  await page.waitForFunction((key) => localStorage.getItem(key) === null, draftKey);
  await page.goto(applyUrl);
  assert.equal(await page.inputValue("#f-family_name"), "", "a new application starts empty");
  await context.close();
});
