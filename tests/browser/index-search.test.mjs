// A citizen finds the office for where they live: with JavaScript off by
// the first letter of their town or by their Kreis key, with it on through
// the search box; a place whose office offers no online service here says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, axeViolations, useSiteAndBrowser } from "./harness.mjs";

const shared = useSiteAndBrowser();

test("without JavaScript a town is found by its first letter and leads to its office", async () => {
  const context = await shared.browser.newContext({ javaScriptEnabled: false });
  const { page } = await openPage(context, shared.site.origin + "/", shared.site.origin);
  assert.equal(await page.locator("[data-filter]").isVisible(), false, "the search box needs JavaScript");
  await page.getByRole("navigation", { name: "Nach Anfangsbuchstaben" }).getByRole("link", { name: "D", exact: true }).click();
  await page.waitForURL("**/orte/d/");
  const delbrueck = page.locator(".place", { hasText: "05774020" });
  assert.match(await delbrueck.innerText(), /Delbrück/);
  await delbrueck.getByRole("link", { name: "Kreis Paderborn" }).click();
  await page.waitForURL("**/kreis-paderborn/de/");
  assert.equal(await page.locator("h1").innerText(), "Einbürgerung");
  await context.close();
});

test("without JavaScript the Kreis key leads to the list of its towns, and an office without the service is named, not linked", async () => {
  const context = await shared.browser.newContext({ javaScriptEnabled: false });
  const { page } = await openPage(context, shared.site.origin + "/", shared.site.origin);
  await page.getByRole("link", { name: "05158 Kreis Mettmann" }).click();
  await page.waitForURL("**/orte/kreis-05158/");
  const ratingen = page.locator(".place", { hasText: "05158028" });
  const text = await ratingen.innerText();
  assert.match(text, /Ratingen/);
  assert.match(text, /Kreis Mettmann \(bietet den Online-Dienst hier noch nicht an\)/);
  assert.equal(await ratingen.locator("a").count(), 0, "no invented link or contact");
  await context.close();
});

test("the search box finds an office by postcode and is accessible", async () => {
  const context = await shared.browser.newContext();
  const { page } = await openPage(context, shared.site.origin + "/", shared.site.origin);
  const search = page.getByLabel("Ort, Postleitzahl, Gemeinde- oder Kreisschlüssel");
  await search.fill("33129");
  await page.waitForFunction(() => document.querySelector("#filter-status").textContent !== "");
  const links = await page.locator("#filter-results a").allInnerTexts();
  assert.deepEqual(links, ["Kreis Paderborn"]);
  assert.match(await page.locator("#filter-status").innerText(), /^1 /);
  assert.deepEqual(await axeViolations(page), []);
  await page.locator("#filter-results a").click();
  await page.waitForURL("**/kreis-paderborn/de/");
  await context.close();
});

test("the search box finds a town by key and by a spelling without umlauts", async () => {
  const context = await shared.browser.newContext();
  const { page } = await openPage(context, shared.site.origin + "/", shared.site.origin);
  const search = page.getByLabel("Ort, Postleitzahl, Gemeinde- oder Kreisschlüssel");
  await search.fill("05158028");
  await page.waitForFunction(() => /^1 /.test(document.querySelector("#filter-status").textContent));
  assert.match(await page.locator("#filter-results").innerText(), /Ratingen 05158028 – Kreis Mettmann \(bietet/);
  await search.fill("koln");
  await page.waitForFunction(() => /Köln/.test(document.querySelector("#filter-results").textContent));
  assert.deepEqual(await page.locator("#filter-results .place-name").allInnerTexts(), ["Köln"]);
  await page.locator("#filter-results a").click();
  await page.waitForURL("**/koeln/de/");
  await page.getByRole("link", { name: "English" }).click();
  await page.waitForURL("**/koeln/en/");
  assert.equal(await page.locator("html").getAttribute("lang"), "en");
  await context.close();
});
