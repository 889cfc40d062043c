// The browser's checks (form.js interpreting the rules the page carries)
// and the server's (form-fn enforcing form-spec) must agree: generated
// submissions, one valid and one for every kind of mistake on every field
// the rules describe, go to both, and both must accept the same ones and
// refuse the same fields with the same codes and messages, in order.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serveSite, launchBrowser, startFormFn, siteDir } from "./harness.mjs";

const formPort = Number(process.env.FORM_PORT ?? 18091);
const slug = "bielefeld";

let site, browser, formFn, page;
before(async () => {
  site = await serveSite(0);
  formFn = await startFormFn(formPort);
  browser = await launchBrowser();
  page = await browser.newPage();
});
after(async () => {
  await browser?.close();
  formFn?.stop();
  await site?.close();
});

/** The rules the built page carries, read from the file itself. */
function rulesOf(lang) {
  const html = readFileSync(join(siteDir, slug, lang, "apply/index.html"), "utf8");
  const json = /<script type="application\/json" id="form-rules">([^<]*)<\/script>/.exec(html);
  assert.ok(json, "the form page carries its rules");
  return JSON.parse(json[1]);
}

const fieldsOf = (rules) => rules.sections.flatMap((s) => s.fields);

/** A complete, valid application (the adult Turkish citizen of the other tests). */
function validValues(rules) {
  const first = (id) => fieldsOf(rules).find((f) => f.id === id).options[0];
  const values = {
    family_name: "Yılmaz",
    given_names: "Ayşe",
    birth_date: "1990-05-17",
    birth_place: "İzmir",
    birth_country: "TR",
    sex: first("sex"),
    "nationalities.0.country": "TR",
    id_document: "passport",
    street: "Niederwall 1",
    postcode: "33602",
    city: "Bielefeld",
    email: "ayse@example.org",
    resident_since: "2015-03-01",
    permit: "settlement_permit",
    marital_status: "single",
  };
  for (const id of ["long_stays_abroad", "german_proof", "test_proof", "livelihood", "benefits", "convicted", "proceedings_pending"]) {
    values[id] = first(id);
  }
  for (const id of ["fdgo_declaration", "responsibility_declaration", "truthful"]) values[id] = "yes";
  return values;
}

/** The UTC day `days` after the date bound `bound`, as YYYY-MM-DD. */
function beside(bound, days) {
  const now = new Date();
  let date;
  const relative = /^today(?:-(\d+)y)?$/.exec(bound);
  if (relative) {
    const year = now.getUTCFullYear() - Number(relative[1] ?? 0);
    const last = new Date(Date.UTC(year, now.getUTCMonth() + 1, 0)).getUTCDate();
    date = new Date(Date.UTC(year, now.getUTCMonth(), Math.min(now.getUTCDate(), last)));
  } else {
    date = new Date(`${bound}T00:00:00Z`);
  }
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

const TEXT_KINDS = ["text", "textarea", "email", "phone", "postcode"];

/** Mistakes for one field under the form name `name`: [[label, change]]. */
function mistakes(field, name) {
  const cases = [];
  const set = (value) => (values) => { values[name] = value; };
  if (field.required) cases.push(["required", (values) => { delete values[name]; }]);
  if (TEXT_KINDS.includes(field.kind)) {
    cases.push(["too_long", set("a".repeat(field.max_chars + 1))]);
    cases.push(["control character", set("a\u0007b")]);
  }
  if (field.min_chars) cases.push(["too_short", set("a".repeat(field.min_chars - 1))]);
  if (["text", "email", "phone", "postcode"].includes(field.kind)) cases.push(["characters", set("Ay\u202Ese")]);
  if (field.pattern) cases.push(["pattern", set("not § a match!")]);
  if (field.kind === "email") cases.push(["email", set("ayse.example.org")], ["email space", set("ay se@example.org")]);
  if (field.kind === "phone") cases.push(["phone", set("0521 1")], ["phone letters", set("0521 CALL ME")]);
  if (field.kind === "postcode") cases.push(["postcode", set("3360")], ["postcode letters", set("3360A")]);
  if (field.kind === "date") {
    cases.push(["date", set("2021-02-29")], ["date format", set("17.05.1990")]);
    if (field.date_min) cases.push(["date_too_early", set(beside(field.date_min, -1))]);
    if (field.date_max) cases.push(["date_too_late", set(beside(field.date_max, 1))]);
  }
  if (field.options) cases.push(["option", set("ZZ-not-offered")]);
  for (const condition of field.required_if ?? []) {
    const scope = name.includes(".") ? name.slice(0, name.lastIndexOf(".") + 1) : "";
    cases.push([`required_if ${condition.field}=${condition.value}`, (values) => {
      values[scope + condition.field] = condition.value;
      delete values[name];
    }]);
  }
  return cases;
}

/** Every generated submission: [{label, values, uploads}]. */
function submissions(rules) {
  const base = validValues(rules);
  const all = [
    { label: "valid", values: base, uploads: [] },
    { label: "valid, with spaces around and decomposed letters", values: { ...base, given_names: "  Ays\u0327e ", city: "Bielefeld\t" }, uploads: [] },
    { label: "valid, Persian spelling with a zero-width non-joiner", values: { ...base, birth_place: "می\u200Cکنم" }, uploads: [] },
  ];
  for (const field of fieldsOf(rules)) {
    if (field.kind === "group") {
      for (const sub of field.fields) {
        for (const [label, change] of mistakes(sub, `${field.id}.0.${sub.id}`)) {
          const values = { ...base };
          // An entry is only checked when something in it is filled in.
          if (label === "required") values[`${field.id}.0.${field.fields.find((f) => f.id !== sub.id)?.id ?? sub.id}`] ??= "x";
          change(values);
          all.push({ label: `${field.id}.0.${sub.id}: ${label}`, values, uploads: [] });
        }
      }
      if (field.min_items) {
        const values = { ...base };
        for (const key of Object.keys(values)) if (key.startsWith(`${field.id}.`)) delete values[key];
        all.push({ label: `${field.id}: too_few`, values, uploads: [] });
      }
    } else if (field.kind === "file") {
      const pdf = (size) => ({ field: field.id, name: "pass.pdf", size, bytes: [...Buffer.from("%PDF-1.7\n")] });
      all.push({ label: `${field.id}: a PDF`, values: base, uploads: [pdf(2048)] });
      all.push({ label: `${field.id}: file_type`, values: base, uploads: [{ field: field.id, name: "notes.txt", size: 11, bytes: [...Buffer.from("hello world")] }] });
      const half = Math.floor(rules.max_attachment_bytes / 2) + 1;
      all.push({ label: `${field.id}: file_too_large`, values: base, uploads: [pdf(half), pdf(half)] });
    } else {
      for (const [label, change] of mistakes(field, field.id)) {
        const values = { ...base };
        change(values);
        all.push({ label: `${field.id}: ${label}`, values, uploads: [] });
      }
    }
  }
  return all;
}

/** What form-fn answers: [] when it accepts, else its errors. */
async function serverErrors(lang, { values, uploads }) {
  const body = new FormData();
  body.set("lang", lang);
  for (const [name, value] of Object.entries(values)) body.set(name, value);
  for (const upload of uploads) {
    const bytes = new Uint8Array(upload.size);
    bytes.set(upload.bytes.slice(0, upload.size));
    body.append(upload.field, new Blob([bytes], { type: "application/octet-stream" }), upload.name);
  }
  const response = await fetch(`http://127.0.0.1:${formPort}/submit/${slug}/einbuergerung`, {
    method: "POST",
    headers: { accept: "application/json" },
    body,
  });
  if (response.status === 201) return [];
  assert.equal(response.status, 422, "form-fn accepts (201) or refuses (422)");
  return (await response.json()).errors;
}

for (const lang of ["de", "en", "ar", "tr", "ru", "uk", "fa"]) {
  test(`browser and server accept and refuse the same submissions (${lang})`, async () => {
    const rules = rulesOf(lang);
    await page.goto(`${site.origin}/${slug}/${lang}/apply/`);
    const cases = submissions(rules);
    const codes = new Set();
    for (const submission of cases) {
      const browserSays = await page.evaluate(
        ([values, uploads]) => window.applicationForm.check(values, uploads),
        [submission.values, submission.uploads],
      );
      const serverSays = await serverErrors(lang, submission);
      assert.deepEqual(browserSays, serverSays, `${submission.label}: browser and server differ`);
      for (const error of serverSays) codes.add(error.code);
      if (submission.label.startsWith("valid")) assert.deepEqual(serverSays, [], `${submission.label} is accepted`);
    }
    // The generated mistakes reach every code a citizen can cause.
    assert.deepEqual(
      [...codes].sort(),
      ["characters", "date", "date_too_early", "date_too_late", "email", "file_too_large", "file_type", "option", "pattern", "phone", "postcode", "required", "too_few", "too_long"],
    );
    assert.ok(cases.length > 100, `${cases.length} submissions`);
  });
}
