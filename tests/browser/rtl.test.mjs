// Arabic, right to left, in headless Chromium against a real form-fn: a
// citizen applies in Arabic, corrects one mistake the assistant refuses in
// Arabic, ends on the Arabic confirmation page, and the office opens the
// application in German. The layout mirrors at phone and desktop width
// (screenshots in target/rtl-screenshots/ for a person to look at), while
// German addresses, references and names as in the passport read left to right.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  serveSite, launchBrowser, axeViolations, startFormFn, functionDir, siteDir,
  applicationSteps, continueTo, sampleValues,
} from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const sitePort = Number(process.env.SITE_PORT ?? 18090);
const formPort = Number(process.env.FORM_PORT ?? 18091);
const office = process.env.OFFICE ?? resolve(here, "../../target/debug/office");
const shots = resolve(siteDir, "../rtl-screenshots");

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

/** Waits until form-fn delivered `reference` to the sample mailbox. */
async function delivered(reference) {
  const mailbox = join(formFn.work, "mailboxes/bielefeld");
  for (let i = 0; i < 100 && !existsSync(join(mailbox, `${reference}.json`)); i += 1) {
    await new Promise((ok) => setTimeout(ok, 100));
  }
  return join(mailbox, `${reference}.age`);
}

test("a citizen applies in Arabic, corrects a mistake, and the office reads it in German", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${sitePort}/bielefeld/ar/apply/`);
  assert.equal(await page.getAttribute("html", "dir"), "rtl");
  assert.equal(await page.getAttribute("#f-family_name", "dir"), "ltr", "names as in the passport");
  assert.match(await page.locator(".translation-notice").innerText(), /[\u0600-\u06FF]/, "the notice is in Arabic");
  assert.equal(
    await page.getAttribute(".translation-notice a", "href"),
    "/bielefeld/de/apply/",
    "it links the binding German page",
  );

  await applicationSteps.person(page, "2020-01-01");
  await page.click("fieldset.section:not([hidden]) [data-step-continue]");
  const summary = page.locator(".error-summary");
  await summary.waitFor();
  const rules = JSON.parse(await page.locator("#form-rules").textContent());
  const birthDate = rules.sections[0].fields.find((f) => f.id === "birth_date");
  assert.equal(
    (await summary.locator("li").innerText()).trim(),
    birthDate.messages.date_too_late,
    "the assistant refuses in Arabic with the server's words",
  );
  assert.match(birthDate.messages.date_too_late, /[\u0600-\u06FF]/);
  assert.deepEqual(await axeViolations(page), [], "Arabic step with an error: axe-core violations");
  await page.fill("#f-birth_date", "1990-05-17");
  for (const [index, fill] of Object.values(applicationSteps).entries()) {
    if (index > 0) await fill(page);
    await continueTo(page, index + 2);
  }
  assert.deepEqual(await axeViolations(page), [], "Arabic review: axe-core violations");
  await Promise.all([page.waitForURL(/\/bielefeld\/ar\/apply\/done\/\?ref=/), page.click("button[type=submit]")]);
  const reference = new URL(page.url()).searchParams.get("ref");
  assert.equal(await page.getAttribute("html", "lang"), "ar");
  assert.equal(await page.locator("[data-reference]").innerText(), reference);
  assert.equal(await page.getAttribute("[data-reference]", "dir"), "ltr", "the reference reads left to right");
  assert.deepEqual(await axeViolations(page), [], "Arabic confirmation: axe-core violations");

  const out = mkdtempSync(join(tmpdir(), "opened-"));
  execFileSync(office, [
    "open", "--identity", resolve(here, "../keys/bielefeld.txt"),
    "--registry", join(functionDir, "registry.json"), "--out", out, await delivered(reference),
  ]);
  const opened = JSON.parse(readFileSync(join(out, reference, "application.json"), "utf8"));
  assert.equal(opened.language, "ar");
  assert.deepEqual(opened.values, sampleValues(), "values as typed");
  const clerk = readFileSync(join(out, reference, "summary.html"), "utf8");
  assert.match(clerk, /<html lang="de">/);
  for (const german of ["Familienname", "Geburtsstaat", "Türkei", "Sprache der antragstellenden Person"]) {
    assert.ok(clerk.includes(german), `the clerk reads ${german}`);
  }
  assert.doesNotMatch(clerk, /[\u0600-\u06FF]/, "no Arabic label reaches the clerk");
  await context.close();
});

for (const [name, width, height] of [["phone", 360, 740], ["desktop", 1280, 900]]) {
  test(`Arabic pages mirror at ${name} width and keep German data left to right`, async () => {
    mkdirSync(shots, { recursive: true });
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    for (const [label, path] of [["service", "/bielefeld/ar/"], ["form", "/bielefeld/ar/apply/"], ["quick-check", "/bielefeld/ar/quick-check/"]]) {
      await page.goto(`http://127.0.0.1:${sitePort}${path}`);
      await page.screenshot({ path: join(shots, `ar-${label}-${name}.png`), fullPage: label !== "form" });
      const layout = await page.evaluate(() => {
        const main = document.querySelector("main").getBoundingClientRect();
        const h1 = document.querySelector("h1").getBoundingClientRect();
        const notice = getComputedStyle(document.querySelector(".translation-notice"));
        return {
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          h1FromRight: main.right - h1.right,
          h1FromLeft: h1.left - main.left,
          noticeRight: notice.borderRightWidth,
          noticeLeft: notice.borderLeftWidth,
        };
      });
      assert.ok(layout.overflow <= 0, `${label}: no horizontal scrolling (${layout.overflow}px)`);
      assert.notEqual(layout.noticeRight, "0px", `${label}: the notice's bar is on the right`);
      assert.equal(layout.noticeLeft, "0px", `${label}: and not on the left`);
      assert.ok(layout.h1FromRight <= layout.h1FromLeft, `${label}: the heading starts on the right`);
    }
    await page.goto(`http://127.0.0.1:${sitePort}/bielefeld/ar/`);
    const address = page.locator("address");
    assert.equal(await address.evaluate((a) => getComputedStyle(a).direction), "ltr", "the German address reads left to right");
    await context.close();
  });
}
