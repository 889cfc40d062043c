// The office's summary.html, as a clerk reads and files it: a citizen
// applies through the built form (JavaScript off, the plain form) with a
// document, form-fn (a real process on 127.0.0.1) delivers to the sample's
// folder mailbox, and the real office CLI fetches and opens the package.
// The summary must pass the same axe-core check as the public pages (BITV
// covers internal tools too), on screen and in print, and its print layout
// must be fit for the file: black text, the reference on top, nothing
// hidden, terms kept with their values, the attachment's file written out.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { serveSite, launchBrowser, axeViolations, startFormFn, fillApplication, functionDir } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const sitePort = Number(process.env.SITE_PORT ?? 18090);
const formPort = Number(process.env.FORM_PORT ?? 18091);
const office = process.env.OFFICE ?? resolve(here, "../../target/debug/office");

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

async function waitFor(what, done) {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    assert.ok(Date.now() < deadline, `timed out waiting: ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** Applies in the browser with one PDF; resolves to the reference. */
async function apply() {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${sitePort}/bielefeld/de/apply/`);
  await fillApplication(page, "1990-05-17");
  await page.locator("input[type=file]").first().setInputFiles({
    name: "Reisepass Seite 1.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from("%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"),
  });
  await Promise.all([page.waitForURL(/\/apply\/done\/\?ref=/), page.click("button[type=submit]")]);
  const reference = new URL(page.url()).searchParams.get("ref");
  await context.close();
  return reference;
}

/** What a clerk runs: office fetch, then office open; the summary's path. */
function fetchAndOpen(reference) {
  const mailbox = join(formFn.work, "mailboxes/bielefeld");
  const inbox = join(formFn.work, "eingang");
  const opened = join(formFn.work, "geoeffnet");
  execFileSync(office, ["fetch", "--from", mailbox, "--to", inbox]);
  execFileSync(office, [
    "open",
    "--identity", resolve(here, "../keys/bielefeld.txt"),
    "--registry", join(functionDir, "registry.json"),
    "--out", opened,
    join(inbox, `${reference}.age`),
  ]);
  return join(opened, reference, "summary.html");
}

test("office open's summary passes axe on screen and in print, and prints for the file", async () => {
  const reference = await apply();
  assert.match(reference, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
  await waitFor("the application in the office's mailbox", () =>
    existsSync(join(formFn.work, "mailboxes/bielefeld", `${reference}.json`)),
  );
  const summary = fetchAndOpen(reference);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(summary).href);
  assert.deepEqual(requests, [pathToFileURL(summary).href], "self-contained: nothing else loaded");
  assert.equal(await page.title(), `Einbürgerungsantrag ${reference}`);
  assert.deepEqual(await axeViolations(page), [], "summary on screen: axe-core violations");
  const onScreen = await page.locator("main").innerText();

  await page.emulateMedia({ media: "print" });
  assert.deepEqual(await axeViolations(page), [], "summary in print: axe-core violations");
  const print = await page.evaluate(() => {
    const style = (element, pseudo) => getComputedStyle(element, pseudo);
    const hidden = [...document.querySelectorAll("main *")].filter(
      (e) => e.getClientRects().length === 0 && !["BR", "WBR"].includes(e.tagName),
    );
    const pairs = [...document.querySelectorAll("dl > div")];
    const link = document.querySelector("a[href^='attachments/']");
    return {
      first: document.querySelector("main").firstElementChild.outerHTML,
      textColors: [...new Set([...document.querySelectorAll("main, main *")].map((e) => style(e).color))],
      hidden: hidden.map((e) => e.outerHTML.slice(0, 80)),
      pairs: pairs.length,
      pairsKept: pairs.filter((e) => style(e).breakInside === "avoid").length,
      headingsKept: [...document.querySelectorAll("h1, h2, h3")].every((h) => style(h).breakAfter === "avoid"),
      linkAfter: link ? style(link, "::after").content : null,
      linkHref: link?.getAttribute("href"),
    };
  });
  assert.equal(print.first, `<h1>Einbürgerungsantrag ${reference}</h1>`, "the reference heads the page");
  assert.deepEqual(print.textColors, ["rgb(0, 0, 0)"], "all text black on paper");
  assert.deepEqual(print.hidden, [], "print hides nothing of the application");
  assert.ok(print.pairs >= 20, `every answer as a term and its value: ${print.pairs}`);
  assert.equal(print.pairsKept, print.pairs, "no page break parts a term from its value");
  assert.ok(print.headingsKept, "no heading alone at the foot of a page");
  assert.match(print.linkHref, /^attachments\/01-.+\.pdf$/);
  assert.equal(print.linkAfter, `" (Datei: ${print.linkHref})"`, "the attachment's file is written out");
  assert.equal(await page.locator("main").innerText(), onScreen, "print shows the same text as the screen");
  const pdf = await page.pdf({ format: "A4" });
  assert.ok(pdf.length > 1000 && pdf.subarray(0, 5).toString() === "%PDF-", "Chromium prints it");
  await context.close();
});
