// The quick-check in a real browser: axe-core on every question and result
// page in every language, a keyboard-only run to an outcome, and the
// "your answers" enhancement, which needs JavaScript, while nothing else does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { openPage, axeViolations, siteDir, useSiteAndBrowser } from "./harness.mjs";

const shared = useSiteAndBrowser();

/** Every page below the quick-check, tracks (sub-folders of pages) included. */
async function quickCheckPages(slug, lang) {
  const root = join(siteDir, slug, lang, "quick-check");
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const pages = entries
    .filter((e) => e.isFile() && e.name === "index.html")
    .map((e) => relative(root, e.parentPath ?? e.path))
    .map((dir) => `/${slug}/${lang}/quick-check/${dir ? `${dir}/` : ""}`);
  return pages.sort();
}

test("every question and result page in every language has no accessibility violation", async () => {
  const context = await shared.browser.newContext();
  let checked = 0;
  for (const lang of ["de", "en", "ar", "tr", "ru", "uk", "fa"]) {
    for (const path of await quickCheckPages("kreis-paderborn", lang)) {
      const { page, response, foreign } = await openPage(context, shared.site.origin + path, shared.site.origin);
      assert.equal(response.status(), 200, path);
      assert.deepEqual(await axeViolations(page), [], `${path}: axe-core violations`);
      assert.deepEqual(foreign, [], `${path}: requests to other origins`);
      await page.close();
      checked += 1;
    }
  }
  assert.ok(checked >= 210, `checked ${checked} pages`);
});

/** Presses Tab until the focused element is the answer link `answer`; Enter follows it. */
async function answerByKeyboard(page, question, answer) {
  assert.equal(await page.locator("[data-question]").getAttribute("data-question"), question);
  for (let presses = 0; presses < 40; presses += 1) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement?.getAttribute("data-answer"));
    if (focused === answer) {
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      return;
    }
  }
  assert.fail(`could not reach answer ${answer} of ${question} with the Tab key`);
}

test("keyboard only: a spouse of a German reaches the eligible result and sees their answers", async () => {
  const context = await shared.browser.newContext();
  const { page } = await openPage(context, `${shared.site.origin}/muenster/de/`, shared.site.origin);
  for (let presses = 0; ; presses += 1) {
    assert.ok(presses < 60, "the quick-check link is reachable with Tab");
    await page.keyboard.press("Tab");
    const href = await page.evaluate(() => document.activeElement?.getAttribute("href"));
    if (href === "/muenster/de/quick-check/") break;
  }
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const path = [
    ["age", "16_or_older"],
    ["residence_years", "3_to_5"],
    ["married_to_german", "yes"],
    ["marriage_years", "yes"],
    ["residence_status", "settled"],
    ["identity", "yes"],
    ["livelihood", "yes"],
    ["german_b1", "yes"],
    ["citizenship_test", "yes"],
    ["convictions", "minor"],
    ["fdgo", "yes"],
    ["responsibility", "yes"],
    ["monogamy", "yes"],
  ];
  for (const [question, answer] of path) await answerByKeyboard(page, question, answer);
  assert.equal(await page.locator("[data-outcome]").getAttribute("data-outcome"), "eligible");
  const answers = page.locator("[data-your-answers]");
  assert.ok(await answers.isVisible(), "your answers are listed");
  const listed = await answers.locator("dd").allInnerTexts();
  assert.equal(listed.length, path.length);
  assert.equal(listed[1], "3 bis unter 5 Jahre");
  assert.equal(listed[9], "Ja, aber nur geringfügig");
  assert.deepEqual(await axeViolations(page), [], "result page with answers shown");
  await context.close();
});

test("without JavaScript the check still leads to a result, and back goes one question back", async () => {
  const context = await shared.browser.newContext({ javaScriptEnabled: false });
  const { page } = await openPage(context, `${shared.site.origin}/dortmund/en/quick-check/`, shared.site.origin);
  await page.locator('[data-answer="16_or_older"]').click();
  await page.locator('[data-answer="5_or_more"]').click();
  assert.equal(await page.locator("h1").innerText(), "What right of residence do you have?");
  await page.getByRole("link", { name: "Back" }).click();
  assert.equal(await page.locator("[data-question]").getAttribute("data-question"), "residence_years");
  await page.locator('[data-answer="under_3"]').click();
  assert.equal(await page.locator("[data-question]").getAttribute("data-question"), "family_applies");
  await page.locator('[data-answer="yes"]').click();
  assert.match(page.url(), /\/quick-check\/co_naturalization\/residence_status\/$/, "on the co-naturalization track");
  await page.getByRole("link", { name: "Back" }).click();
  assert.equal(await page.locator("[data-question]").getAttribute("data-question"), "family_applies");
  await page.locator('[data-answer="no"]').click();
  assert.equal(await page.locator("[data-outcome]").getAttribute("data-outcome"), "not_yet");
  assert.equal(await page.locator("[data-your-answers]").isVisible(), false, "summary needs JavaScript");
  assert.match(await page.locator("main").innerText(), /at least 5 years/);
  await context.close();
});
