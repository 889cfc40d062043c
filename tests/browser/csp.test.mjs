// The site under the security headers the CDN sends (the response headers
// policy in deploy/template.yaml, read from there), with JavaScript on and
// off: the quick-check, the form, the form again with errors (served by
// form-fn) and the confirmation page must not violate the Content Security
// Policy once. Chromium's own console (DevTools Log domain) reports each
// violation; a canary page with an inline style proves the check can fail.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { serveSite, launchBrowser, startFormFn, fillApplication, walkAssistant, applicationSteps, continueTo } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const sitePort = Number(process.env.SITE_PORT ?? 18090);
const formPort = Number(process.env.FORM_PORT ?? 18091);
const site = `http://127.0.0.1:${sitePort}`;
const formOrigin = `http://127.0.0.1:${formPort}`;

/** A header of the template's response headers policy. */
function templateValue(pattern) {
  const template = readFileSync(join(here, "../../deploy/template.yaml"), "utf8");
  const match = template.match(pattern);
  assert.ok(match, `deploy/template.yaml has ${pattern}`);
  return match[1];
}

// In production the form endpoint is the site's own origin (CloudFront
// routes /submit/* to the function); here form-fn has an origin of its own.
const policy = templateValue(/ContentSecurityPolicy: "([^"]+)"/).replace("form-action 'self'", `form-action 'self' ${formOrigin}`);
const headers = {
  "content-security-policy": policy,
  "referrer-policy": templateValue(/ReferrerPolicy: ([a-z-]+)/),
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "permissions-policy": templateValue(/Header: Permissions-Policy\s+Value: "([^"]+)"/),
};

let server, browser, formFn;
before(async () => {
  server = await serveSite(sitePort, { headers });
  formFn = await startFormFn(formPort);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  formFn?.stop();
  await server?.close();
});

/** A page whose CSP violations (as Chromium's console reports them) are collected. */
async function watchedPage(javaScriptEnabled) {
  const context = await browser.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  const violations = [];
  const devtools = await context.newCDPSession(page);
  devtools.on("Log.entryAdded", ({ entry }) => {
    if (/Content Security Policy/i.test(entry.text)) violations.push(`${entry.url ?? ""}: ${entry.text}`);
  });
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await devtools.send("Log.enable");
  return { context, page, violations };
}

/** Walks the quick-check from its start to a result, taking the first answer each time. */
async function walkQuickCheck(page) {
  const response = await page.goto(`${site}/bielefeld/de/quick-check/`);
  assert.equal(response.headers()["content-security-policy"], policy, "the headers are sent");
  for (let step = 0; step < 20; step += 1) {
    if (await page.locator("[data-outcome]").count()) return;
    await Promise.all([page.waitForNavigation(), page.locator("[data-answer]").first().click()]);
  }
  assert.fail("no result within 20 answers");
}

/**
 * The form: refused with errors (by form-fn; with JavaScript first by the
 * assistant), corrected, confirmed.
 */
async function applyWithACorrection(page, javaScriptEnabled) {
  await page.goto(`${site}/bielefeld/de/apply/`);
  if (javaScriptEnabled) {
    await applicationSteps.person(page, "2020-01-01");
    await page.click("fieldset.section:not([hidden]) [data-step-continue]");
    await page.locator(".error-summary").waitFor();
    await page.fill("#f-birth_date", "1990-05-17");
    await continueTo(page, 2);
    await page.check("#draft-keep");
    await page.goBack();
    await walkAssistant(page);
  } else {
    await fillApplication(page, "2020-01-01");
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    assert.equal(new URL(page.url()).origin, formOrigin, "form-fn showed the form with errors");
    assert.ok(await page.locator(".error-summary").isVisible());
    await page.fill("#f-birth_date", "1990-05-17");
  }
  await Promise.all([page.waitForURL(/\/apply\/done\/\?ref=/), page.click("button[type=submit]")]);
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "JavaScript on" : "JavaScript off";

  test(`no page breaks the security policy (${mode})`, async () => {
    const { context, page, violations } = await watchedPage(javaScriptEnabled);
    for (const path of ["/", "/bielefeld/de/", "/koeln/en/", "/does-not-exist/"]) {
      await page.goto(`${site}${path}`);
    }
    await walkQuickCheck(page);
    await applyWithACorrection(page, javaScriptEnabled);
    // Styles applied: the stylesheet was allowed to load.
    assert.notEqual(await page.locator("body").evaluate((b) => getComputedStyle(b).margin), "8px");
    assert.deepEqual(violations, []);
    await context.close();
  });

  test(`the check sees a violation when there is one (${mode})`, async () => {
    const { context, page, violations } = await watchedPage(javaScriptEnabled);
    await page.route(`${site}/csp-canary/`, (route) =>
      route.fulfill({
        status: 200,
        headers: { ...headers, "content-type": "text/html; charset=utf-8" },
        body: "<!doctype html><html lang=en><title>canary</title><style>body{color:red}</style><h1>canary</h1>",
      }),
    );
    await page.goto(`${site}/csp-canary/`);
    for (let tries = 0; violations.length === 0 && tries < 50; tries += 1) await page.waitForTimeout(100);
    assert.ok(violations.length > 0, "an inline style is reported");
    await context.close();
  });
}
