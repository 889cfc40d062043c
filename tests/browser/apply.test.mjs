// The application form and the confirmation page in a real browser: no
// axe-core violation in any language, the reference shown from ?ref=, and
// without JavaScript the reader is told where to find it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, axeViolations, useSiteAndBrowser } from "./harness.mjs";

const shared = useSiteAndBrowser();

test("the application form has no accessibility violation in any language", async () => {
  const context = await shared.browser.newContext();
  for (const lang of ["de", "en", "ar", "tr", "ru", "uk", "fa"]) {
    const { page, response, foreign } = await openPage(context, `${shared.site.origin}/bielefeld/${lang}/apply/`, shared.site.origin);
    assert.equal(response.status(), 200);
    assert.equal(await page.locator("form.application").count(), 1, "the form is online in the test build");
    assert.deepEqual(await axeViolations(page), [], `${lang}: axe-core violations`);
    assert.deepEqual(foreign, [], "nothing loaded from other origins");
  }
  await context.close();
});

test("the honeypot is invisible and unreachable for people and screen readers", async () => {
  const context = await shared.browser.newContext();
  const { page } = await openPage(context, `${shared.site.origin}/koeln/de/apply/`, shared.site.origin);
  assert.equal(await page.locator('input[name="hp_leave_empty"]').isVisible(), false);
  assert.equal(await page.getByRole("textbox", { name: /leer lassen/ }).count(), 0);
  await context.close();
});

test("the confirmation page shows the reference, or says where it is without JavaScript", async () => {
  const context = await shared.browser.newContext();
  for (const lang of ["de", "en", "ar", "tr", "ru", "uk", "fa"]) {
    const { page } = await openPage(context, `${shared.site.origin}/bielefeld/${lang}/apply/done/?ref=K7M-4XPQ`, shared.site.origin);
    assert.equal(await page.locator("[data-reference]").innerText(), "K7M-4XPQ");
    assert.deepEqual(await axeViolations(page), [], `${lang}: axe-core violations`);
  }
  await context.close();
  const noScript = await shared.browser.newContext({ javaScriptEnabled: false });
  const { page } = await openPage(noScript, `${shared.site.origin}/bielefeld/de/apply/done/?ref=K7M-4XPQ`, shared.site.origin);
  assert.match(await page.locator("main").innerText(), /Adresszeile Ihres Browsers hinter „ref=“/);
  await noScript.close();
});
