// axe-core finds no violation on any page type in any language, pages load
// nothing from other origins, and the layout reflows to a 320 px phone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { servicePages, openPage, axeViolations, useSiteAndBrowser } from "./harness.mjs";

const shared = useSiteAndBrowser();

async function checkPage(path, expectedStatus, viewport = { width: 1280, height: 900 }) {
  const context = await shared.browser.newContext({ viewport });
  try {
    const { page, response, foreign } = await openPage(context, shared.site.origin + path, shared.site.origin);
    assert.equal(response.status(), expectedStatus, `${path}: HTTP status`);
    assert.deepEqual(await axeViolations(page), [], `${path}: axe-core violations`);
    assert.deepEqual(foreign, [], `${path}: requests to other origins`);
    return page;
  } finally {
    await context.close();
  }
}

test("index of all offices has no accessibility violation", async () => {
  await checkPage("/", 200);
});

test("the lists of places per letter and per Kreis have no accessibility violation", async () => {
  for (const path of ["/orte/d/", "/orte/kreis-05158/", "/orte/kreis-05774/"]) {
    await checkPage(path, 200);
  }
});

test("404 page has no accessibility violation and answers 404", async () => {
  await checkPage("/no-such-municipality/de/", 404);
});

test("every service page in every language has no accessibility violation", async () => {
  const pages = await servicePages();
  assert.ok(pages.length >= 16, `expected the sample site, found ${pages.length} pages`);
  const langs = new Set(pages.map((p) => p.lang));
  assert.ok(langs.has("de") && langs.has("en"), "German and English pages exist");
  for (const { path } of pages) {
    await checkPage(path, 200);
  }
});

test("the public body's pages in every language have no accessibility violation", async () => {
  const pages = await servicePages();
  let checked = 0;
  for (const { path, lang } of pages) {
    const own = ["accessibility", "privacy", "imprint"];
    const germanOnly = lang === "de" ? ["easy-read", "sign-language"] : [];
    for (const page of [...own, ...germanOnly]) {
      await checkPage(`${path}${page}/`, 200);
      checked += 1;
    }
  }
  assert.ok(checked >= 9 * 5 + 9 * 3, `checked ${checked} pages`);
});

test("service page reflows on a 320 px wide phone without horizontal scrolling", async () => {
  const context = await shared.browser.newContext({ viewport: { width: 320, height: 640 } });
  try {
    for (const path of ["/", "/orte/b/", "/koeln/de/", "/kreis-paderborn/en/", "/bielefeld/de/privacy/", "/bielefeld/de/easy-read/"]) {
      const { page } = await openPage(context, shared.site.origin + path, shared.site.origin);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(overflow <= 320, `${path} is ${overflow}px wide at 320px`);
      await page.close();
    }
  } finally {
    await context.close();
  }
});
