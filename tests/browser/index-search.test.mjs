// A citizen finds their office on the index by postcode, town or key:
// with JavaScript off through the full list, with it on through the filter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, axeViolations, useSiteAndBrowser } from "./harness.mjs";

const shared = useSiteAndBrowser();

test("without JavaScript every office is listed with its postcodes and key", async () => {
  const context = await shared.browser.newContext({ javaScriptEnabled: false });
  const { page } = await openPage(context, shared.site.origin + "/", shared.site.origin);
  const text = await page.locator("main").innerText();
  for (const expected of ["Bielefeld", "05711000", "33602", "Delbrück", "33129", "Kreis Paderborn"]) {
    assert.ok(text.includes(expected), `index lists ${expected}`);
  }
  assert.equal(await page.locator("[data-filter]").isVisible(), false, "filter needs JavaScript");
  await context.close();
});

test("the filter narrows the list to the office for a postcode and is accessible", async () => {
  const context = await shared.browser.newContext();
  const { page } = await openPage(context, shared.site.origin + "/", shared.site.origin);
  const filter = page.getByLabel("Ort, Postleitzahl, Gemeinde- oder Kreisschlüssel");
  await filter.fill("33129");
  await page.waitForFunction(() => document.querySelector("#filter-status").textContent !== "");
  const visible = await page.locator(".entry:visible .entry-name").allInnerTexts();
  assert.deepEqual(visible, ["Kreis Paderborn"]);
  assert.match(await page.locator("#filter-status").innerText(), /^1 /);
  assert.deepEqual(await axeViolations(page), []);
  await page.locator(".entry:visible .entry-name").click();
  await page.waitForURL("**/kreis-paderborn/de/");
  assert.equal(await page.locator("h1").innerText(), "Einbürgerung");
  await context.close();
});

test("an umlaut-free spelling finds Köln and the language link leads to English", async () => {
  const context = await shared.browser.newContext();
  const { page } = await openPage(context, shared.site.origin + "/", shared.site.origin);
  await page.getByLabel("Ort, Postleitzahl, Gemeinde- oder Kreisschlüssel").fill("koln");
  await page.waitForFunction(() => document.querySelector("#filter-status").textContent !== "");
  assert.deepEqual(await page.locator(".entry:visible .entry-name").allInnerTexts(), ["Köln"]);
  await page.goto(shared.site.origin + "/koeln/de/");
  await page.getByRole("link", { name: "English" }).click();
  await page.waitForURL("**/koeln/en/");
  assert.equal(await page.locator("html").getAttribute("lang"), "en");
  await context.close();
});
