// The application form, enhanced. Without this script the form is one page
// that the server checks (and that works as it is); with it:
// - checks: the rules the page carries (#form-rules, compiled by form-spec
//   from the same definition form-fn enforces) interpreted here with the
//   server's codes and messages; form-fn stays the authority;
// - an assistant: one section per step with progress, Back and Continue,
//   each step checked before moving on, and a check-your-answers step with
//   a Change link per answer before the application is sent;
// - a draft in this browser (localStorage), off until the citizen switches
//   it on, never sent anywhere, without documents, deleted on the
//   confirmation page.
(function () {
  "use strict";

  // The draft of a municipality's form: /<base>/<slug> from the form or
  // confirmation page's path (/<base>/<slug>/<lang>/apply/[done/]).
  var site = /^(.*)\/[^/]+\/apply\/(done\/)?$/.exec(location.pathname);
  var draftKey = site ? "apply-draft:" + site[1] : null;
  var storage = (function () {
    try {
      var probe = "apply-draft:probe";
      localStorage.setItem(probe, "1");
      localStorage.removeItem(probe);
      return localStorage;
    } catch (e) {
      return null;
    }
  })();

  // The confirmation page: the application was sent, so the draft goes.
  if (site && site[2] && /[?&]ref=/.test(location.search)) {
    if (storage && draftKey) storage.removeItem(draftKey);
    return;
  }

  var form = document.querySelector("form.application");
  var source = document.getElementById("form-rules");
  if (!form || !source) return;
  var rules;
  try {
    rules = JSON.parse(source.textContent);
  } catch (e) {
    return;
  }
  var ui = rules.ui;

  // ----- The checks: form-spec/src/validate.rs, line by line -----

  // Rust's White_Space (str::trim, char::is_whitespace): not JavaScript's \s.
  var WHITE = "\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
  var TRIM = new RegExp("^[" + WHITE + "]+|[" + WHITE + "]+$", "g");
  var HAS_WHITE = new RegExp("[" + WHITE + "]");
  // Persian spells words with the zero-width (non-)joiner U+200C/U+200D: allowed.
  var SPOOFING = /[\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\u061C\uFEFF\u00AD]/;
  var CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
  var CONTROL_IN_TEXT = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F]/; // tab allowed
  var trim = function (text) { return text.replace(TRIM, ""); };

  function isEmail(text) {
    var at = text.indexOf("@");
    if (at < 0) return false;
    var local = text.slice(0, at);
    var domain = text.slice(at + 1);
    return local !== "" && domain.indexOf(".") !== -1 && domain.charAt(0) !== "." &&
      domain.charAt(domain.length - 1) !== "." && domain.indexOf("@") === -1 &&
      !HAS_WHITE.test(text) && !/[<>"(),;:]/.test(text);
  }

  function isPhone(text) {
    var digits = (text.match(/[0-9]/g) || []).length;
    return digits >= 6 && digits <= 20 && /^[0-9 +\-/()]*$/.test(text);
  }

  function daysInMonth(year, month) {
    if ([1, 3, 5, 7, 8, 10, 12].indexOf(month) !== -1) return 31;
    if ([4, 6, 9, 11].indexOf(month) !== -1) return 30;
    if (month !== 2) return 0;
    return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  }

  function makeDate(year, month, day) {
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
    return { year: year, month: month, day: day };
  }

  // YYYY-MM-DD as form-spec's Date::parse reads it.
  function parseDate(text) {
    if (!/^[\x00-\x7F]*$/.test(text)) return null;
    var first = text.indexOf("-");
    var second = first < 0 ? -1 : text.indexOf("-", first + 1);
    if (second < 0) return null;
    var y = text.slice(0, first), m = text.slice(first + 1, second), d = text.slice(second + 1);
    if (y.length !== 4 || m.length !== 2 || d.length !== 2) return null;
    if (!/^\+?[0-9]+$/.test(y) || !/^\+?[0-9]+$/.test(m) || !/^\+?[0-9]+$/.test(d)) return null;
    return makeDate(parseInt(y, 10), parseInt(m, 10), parseInt(d, 10));
  }

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) s = "0" + s;
    return s;
  }
  var dateText = function (date) { return pad(date.year, 4) + "-" + pad(date.month, 2) + "-" + pad(date.day, 2); };
  var dateOrder = function (date) { return date.year * 10000 + date.month * 100 + date.day; };

  // The server's today is the UTC date.
  function today() {
    var now = new Date();
    return { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1, day: now.getUTCDate() };
  }

  // "YYYY-MM-DD", "today" or "today-<N>y"; 29 February becomes 28 February.
  function resolveBound(bound, now) {
    if (bound === "today") return now;
    var relative = /^today-(\d+)y$/.exec(bound);
    if (relative) {
      var year = now.year - parseInt(relative[1], 10);
      return { year: year, month: now.month, day: Math.min(now.day, daysInMonth(year, now.month)) };
    }
    return parseDate(bound);
  }

  function replaceAll(text, what, by) { return text.split(what).join(by); }

  // The media type by the first bytes: PDF, JPEG or PNG only.
  function sniff(head) {
    var starts = function (bytes) {
      for (var i = 0; i < bytes.length; i += 1) if (head[i] !== bytes[i]) return false;
      return true;
    };
    return starts([0x25, 0x50, 0x44, 0x46, 0x2D]) || starts([0xFF, 0xD8, 0xFF]) ||
      starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
  }

  // Checks a submission: `value(name)` gives what is sent under a name (or
  // null), `uploads` the chosen files ({field, name, size, head}). Returns
  // [{field, code, message}] in the server's order.
  function check(value, uploads) {
    var now = today();
    var errors = [];
    var refuse = function (field, name, code) {
      var template = (field.messages && field.messages[code]) || rules.messages[code] || "";
      var limit = function (number, bound) {
        if (number !== undefined) return number;
        var date = bound ? resolveBound(bound, now) : null;
        return date ? dateText(date) : "";
      };
      var message = replaceAll(template, "{label}", field.label);
      message = replaceAll(message, "{min}", limit(field.limit_min, field.date_min));
      message = replaceAll(message, "{max}", limit(field.limit_max, field.date_max));
      errors.push({ field: name, code: code, message: message });
    };
    var isRequired = function (field, valueOf) {
      return field.required || (field.required_if || []).some(function (condition) {
        var v = valueOf(condition.field);
        return v !== null && trim(v) === condition.value;
      });
    };
    var dateError = function (field, text) {
      var date = parseDate(text);
      if (!date) return "date";
      var min = field.date_min ? resolveBound(field.date_min, now) : null;
      var max = field.date_max ? resolveBound(field.date_max, now) : null;
      if (min && dateOrder(date) < dateOrder(min)) return "date_too_early";
      if (max && dateOrder(date) > dateOrder(max)) return "date_too_late";
      return null;
    };
    var single = function (field, name, raw, required) {
      if (field.kind === "checkbox") {
        if (required && !(raw !== null && raw !== "")) refuse(field, name, "required");
        return;
      }
      var text = trim(raw === null ? "" : raw);
      if (text === "") {
        if (required) refuse(field, name, "required");
        return;
      }
      var multiline = field.kind === "textarea";
      text = (multiline ? text.replace(/\r\n/g, "\n") : text).normalize("NFC");
      var length = Array.from(text).length;
      if (length > field.max_chars) return refuse(field, name, "too_long");
      if (field.min_chars !== undefined && length < field.min_chars) return refuse(field, name, "too_short");
      var code = null;
      if ((multiline ? CONTROL_IN_TEXT : CONTROL).test(text)) code = "pattern";
      else if (!multiline && SPOOFING.test(text)) code = "characters";
      else if (field.kind === "email" && !isEmail(text)) code = "email";
      else if (field.kind === "phone" && !isPhone(text)) code = "phone";
      else if (field.kind === "postcode" && !/^[0-9]{5}$/.test(text)) code = "postcode";
      else if (field.kind === "date") code = dateError(field, text);
      else if (field.options && field.options.indexOf(text) === -1) code = "option";
      if (!code && field.pattern) {
        var matches = false;
        try { matches = new RegExp("^(?:" + field.pattern + ")$", "u").test(text); } catch (e) { matches = false; }
        if (!matches) code = "pattern";
      }
      if (code) refuse(field, name, code);
    };
    var group = function (field) {
      var count = 0;
      for (var index = 0; index < (field.max_items || 0); index += 1) {
        var prefix = field.id + "." + index + ".";
        var entry = function (id) { return value(prefix + id); };
        var filled = field.fields.some(function (sub) {
          var v = entry(sub.id);
          return sub.kind === "checkbox" ? v !== null && v !== "" : v !== null && trim(v) !== "";
        });
        if (!filled) continue;
        field.fields.forEach(function (sub) {
          single(sub, prefix + sub.id, entry(sub.id), isRequired(sub, entry));
        });
        count += 1;
      }
      if (count < (field.min_items || 0)) {
        var first = field.fields.length ? field.id + "." + count + "." + field.fields[0].id : field.id;
        refuse(field, first, "too_few");
      }
    };
    var total = 0;
    var files = function (field) {
      uploads.filter(function (u) { return u.field === field.id; }).forEach(function (upload) {
        if (upload.size === 0 && upload.name === "") return;
        if (sniff(upload.head)) total += upload.size;
        else refuse(field, field.id, "file_type");
      });
    };
    var all = [];
    rules.sections.forEach(function (section) { all = all.concat(section.fields); });
    all.forEach(function (field) {
      if (field.kind === "file") files(field);
      else if (field.kind === "group") group(field);
      else single(field, field.id, value(field.id), isRequired(field, value));
    });
    var firstFile = all.filter(function (f) { return f.kind === "file"; })[0];
    if (total > rules.max_attachment_bytes && firstFile) refuse(firstFile, firstFile.id, "file_too_large");
    return errors;
  }

  // Reads a File's first bytes (for its type) without keeping the rest.
  function head(file) {
    return file.slice(0, 8).arrayBuffer().then(function (buffer) { return new Uint8Array(buffer); });
  }

  // What the form would send now, checked.
  function checkForm() {
    var data = new FormData(form);
    var value = function (name) {
      var v = data.get(name);
      return typeof v === "string" ? v : null;
    };
    var pending = [];
    data.forEach(function (v, name) {
      if (typeof v !== "string") {
        pending.push(head(v).then(function (bytes) {
          return { field: name, name: v.name, size: v.size, head: bytes };
        }));
      }
    });
    return Promise.all(pending).then(function (uploads) { return check(value, uploads); });
  }

  // For the parity test and other tools: the same checks on given values.
  window.applicationForm = Object.freeze({
    check: function (values, uploads) {
      return check(function (name) {
        return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : null;
      }, (uploads || []).map(function (u) {
        var bytes = Uint8Array.from(u.bytes || []);
        return { field: u.field, name: u.name, size: u.size === undefined ? bytes.length : u.size, head: bytes.slice(0, 8) };
      }));
    },
  });

  // ----- Errors on the page, as the server's 422 page shows them -----

  var controlId = function (name) { return "f-" + name.replace(/\./g, "-"); };
  var el = function (tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  };

  function clearErrors() {
    Array.prototype.forEach.call(document.querySelectorAll(".error-summary"), function (n) { n.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll(".error-message"), function (n) { n.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (n) { n.classList.remove("field-error"); });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (n) { n.removeAttribute("aria-invalid"); });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-describedby]"), function (n) {
      var kept = n.getAttribute("aria-describedby").split(" ").filter(function (id) { return !/-error$/.test(id); });
      if (kept.length) n.setAttribute("aria-describedby", kept.join(" "));
      else n.removeAttribute("aria-describedby");
    });
  }

  function focusControl(id) {
    var control = document.getElementById(id);
    if (!control) return;
    var field = control.closest(".field") || control;
    field.scrollIntoView({ block: "start" });
    control.focus({ preventScroll: true });
  }

  function markField(error) {
    var id = controlId(error.field);
    var control = document.getElementById(id);
    if (!control) return;
    var field = control.closest(".field");
    if (field) field.classList.add("field-error");
    var line = el("p", { "class": "error-message", id: id + "-error" });
    line.appendChild(el("span", { "class": "visually-hidden" }, ui.error_prefix));
    line.appendChild(document.createTextNode(" " + error.message));
    var radios = control.type === "radio" ? control.closest(".radios") : null;
    var described = radios || control;
    (radios || control).parentNode.insertBefore(line, radios || control);
    var ids = (described.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.setAttribute("aria-describedby", ids.concat([id + "-error"]).join(" "));
    if (!radios && control.type !== "checkbox") control.setAttribute("aria-invalid", "true");
  }

  function showErrors(errors) {
    clearErrors();
    var summary = el("div", { "class": "error-summary", role: "alert", tabindex: "-1", "aria-labelledby": "error-summary-title" });
    summary.appendChild(el("h2", { id: "error-summary-title" }, ui.error_summary));
    var list = el("ul");
    errors.forEach(function (error) {
      var item = el("li");
      var link = el("a", { href: "#" + controlId(error.field) }, error.message);
      item.appendChild(link);
      list.appendChild(item);
      markField(error);
    });
    summary.appendChild(list);
    form.parentNode.insertBefore(summary, form);
    summary.focus();
  }

  // A summary link (the server's too) puts the focus on its field.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    event.preventDefault();
    var id = link.getAttribute("href").slice(1);
    var step = stepOf(id);
    if (step !== null && step !== current) show(step, false);
    focusControl(id);
  });

  // ----- The assistant -----

  var sections = rules.sections.map(function (section) { return document.getElementById("section-" + section.id); });
  if (sections.some(function (s) { return !s; })) return;
  var total = sections.length + 1; // and the review
  var current = 0;
  var returnToReview = false;
  var submitButton = form.querySelector("button[type=submit]");
  var intro = form.querySelector(".form-intro");
  form.noValidate = true;
  form.classList.add("assistant");

  // Which step holds the control `id` (or the field `name`).
  function stepOf(id) {
    for (var i = 0; i < sections.length; i += 1) {
      if (document.getElementById(id) && sections[i].contains(document.getElementById(id))) return i;
    }
    return null;
  }
  var fieldStep = function (name) { return stepOf(controlId(name)); };

  function progress(step) {
    var caption = el("span", { "class": "step-progress" }, ui.step.replace("{step}", step + 1).replace("{total}", total));
    caption.appendChild(el("span", { "class": "visually-hidden" }, ": "));
    return caption;
  }

  function navigation(step) {
    var nav = el("div", { "class": "step-nav" });
    if (step > 0) {
      var back = el("button", { type: "button", "class": "button secondary", "data-step-back": "" }, ui.back);
      back.addEventListener("click", function () { show(step - 1, true, true); });
      nav.appendChild(back);
    }
    if (step < sections.length) {
      var next = el("button", { type: "button", "class": "button", "data-step-continue": "" }, ui["continue"]);
      next.addEventListener("click", function () { advance(step); });
      nav.appendChild(next);
    }
    return nav;
  }

  sections.forEach(function (section, step) {
    var heading = section.querySelector("legend h2");
    heading.setAttribute("tabindex", "-1");
    heading.insertBefore(progress(step), heading.firstChild);
    section.appendChild(navigation(step));
  });

  var review = el("section", { "class": "review", id: "review", "aria-labelledby": "review-title" });
  var reviewHeading = el("h2", { id: "review-title", tabindex: "-1" });
  reviewHeading.appendChild(progress(sections.length));
  reviewHeading.appendChild(document.createTextNode(ui.review));
  review.appendChild(reviewHeading);
  review.appendChild(el("p", {}, ui.review_intro));
  var answers = el("div", { "data-answers": "" });
  review.appendChild(answers);
  var reviewNav = navigation(sections.length);
  reviewNav.appendChild(submitButton);
  review.appendChild(reviewNav);
  form.insertBefore(review, sections[sections.length - 1].nextSibling);

  // ----- The review: every answer with a link to change it -----

  function shownValue(control) {
    if (!control) return "";
    if (control.type === "checkbox") return control.checked ? ui.yes : ui.no;
    if (control.type === "radio") {
      var chosen = form.querySelector("input[type=radio][name='" + control.name + "']:checked");
      var label = chosen ? form.querySelector("label[for='" + chosen.id + "']") : null;
      return label ? label.textContent : "";
    }
    if (control.tagName === "SELECT") {
      return control.value === "" ? "" : control.options[control.selectedIndex].textContent;
    }
    if (control.type === "file") {
      return Array.prototype.map.call(control.files || [], function (f) { return f.name; }).join(", ");
    }
    return trim(control.value);
  }

  function reviewRow(list, label, control, step) {
    var row = el("div", { "class": "summary-row" });
    row.appendChild(el("dt", {}, label));
    var text = shownValue(control);
    var value = el("dd", text === "" ? { "class": "not-given" } : {}, text === "" ? ui.not_given : text);
    row.appendChild(value);
    var action = el("dd", { "class": "summary-action" });
    var change = el("a", { href: "#" + control.id, "data-change": "" }, ui.change);
    change.appendChild(el("span", { "class": "visually-hidden" }, " " + label));
    change.addEventListener("click", function (event) {
      event.preventDefault();
      returnToReview = true;
      show(step, false, true);
      focusControl(control.id);
    });
    action.appendChild(change);
    row.appendChild(action);
    list.appendChild(row);
  }

  function groupRows(list, field, step) {
    for (var index = 0; index < (field.max_items || 0); index += 1) {
      var controls = field.fields.map(function (sub) { return document.getElementById(controlId(field.id + "." + index + "." + sub.id)); });
      var filled = controls.some(function (c) {
        if (!c) return false;
        if (c.type === "checkbox") return c.checked;
        return shownValue(c) !== "";
      });
      if (!filled && index > 0) continue;
      field.fields.forEach(function (sub, i) {
        if (controls[i]) reviewRow(list, sub.label + " (" + ui.entry + " " + (index + 1) + ")", controls[i], step);
      });
    }
  }

  function buildReview() {
    answers.textContent = "";
    rules.sections.forEach(function (section, step) {
      answers.appendChild(el("h3", {}, section.title));
      var list = el("dl", { "class": "summary-list" });
      section.fields.forEach(function (field) {
        if (field.kind === "group") return groupRows(list, field, step);
        var control = document.getElementById(controlId(field.id));
        if (control) reviewRow(list, field.label, control, step);
      });
      answers.appendChild(list);
    });
  }

  // ----- Moving between steps -----

  function show(step, focusHeading, remember) {
    current = step;
    sections.forEach(function (section, i) { section.hidden = i !== step; });
    review.hidden = step !== sections.length;
    if (intro) intro.hidden = step !== 0;
    if (step === sections.length) buildReview();
    if (remember) history.pushState({ applicationStep: step }, "");
    if (focusHeading) {
      var heading = step === sections.length ? reviewHeading : sections[step].querySelector("legend h2");
      heading.focus();
      heading.scrollIntoView({ block: "start" });
    }
  }

  function errorsOfStep(errors, step) {
    return errors.filter(function (error) { return fieldStep(error.field) === step; });
  }

  function advance(step) {
    checkForm().then(function (errors) {
      var mine = errorsOfStep(errors, step);
      if (mine.length) return showErrors(mine);
      clearErrors();
      var next = returnToReview ? sections.length : step + 1;
      returnToReview = next !== sections.length && returnToReview;
      show(next, true, true);
    });
  }

  var checked = false;
  form.addEventListener("submit", function (event) {
    if (checked) return;
    event.preventDefault();
    // Enter in a field of an earlier step means Continue.
    if (current < sections.length) return advance(current);
    checkForm().then(function (errors) {
      if (errors.length) {
        var step = fieldStep(errors[0].field);
        show(step === null ? 0 : step, false, true);
        return showErrors(errorsOfStep(errors, step));
      }
      checked = true;
      form.submit();
    });
  });

  window.addEventListener("popstate", function (event) {
    var step = event.state && typeof event.state.applicationStep === "number" ? event.state.applicationStep : 0;
    clearErrors();
    show(Math.min(step, sections.length), true, false);
  });

  // The server's 422 page: start at the first refused field's step.
  var serverSummary = document.querySelector(".error-summary a[href^='#']");
  var start = serverSummary ? stepOf(serverSummary.getAttribute("href").slice(1)) : null;
  history.replaceState({ applicationStep: start || 0 }, "");
  show(start || 0, false, false);
  if (serverSummary) document.querySelector(".error-summary").focus();

  // ----- The draft on this device -----

  // Only on the site's own form page: the server's 422 page has another origin.
  if (!storage || !draftKey || !site || site[2]) return;
  var panel = el("div", { "class": "draft", role: "group", "aria-labelledby": "draft-title" });
  panel.appendChild(el("h2", { id: "draft-title" }, ui.draft_title));
  panel.appendChild(el("p", {}, ui.draft_risk));
  var keepField = el("div", { "class": "field checkbox" });
  var keep = el("input", { type: "checkbox", id: "draft-keep" });
  keepField.appendChild(keep);
  keepField.appendChild(el("label", { "for": "draft-keep" }, ui.draft_keep));
  panel.appendChild(keepField);
  var status = el("p", { "class": "draft-status", role: "status" });
  panel.appendChild(status);
  var remove = el("button", { type: "button", "class": "button secondary", "data-draft-delete": "" }, ui.draft_delete);
  remove.hidden = true;
  panel.appendChild(remove);
  form.parentNode.insertBefore(panel, form);

  var when = function (iso) {
    try {
      return new Date(iso).toLocaleString(rules.lang, { dateStyle: "medium", timeStyle: "short" });
    } catch (e) {
      return iso;
    }
  };
  var kept = function (control) {
    return control.name && control.type !== "file" && control.name !== "lang" && !control.closest(".hp") &&
      !((control.type === "checkbox" || control.type === "radio") && !control.checked);
  };

  function save() {
    var values = Array.prototype.filter.call(form.elements, kept).map(function (c) { return [c.name, c.value]; });
    var saved = new Date().toISOString();
    try {
      storage.setItem(draftKey, JSON.stringify({ form: rules.form, saved: saved, values: values }));
      status.textContent = ui.draft_saved.replace("{time}", when(saved));
      remove.hidden = false;
    } catch (e) {
      status.textContent = "";
    }
  }

  function forget() {
    storage.removeItem(draftKey);
    keep.checked = false;
    remove.hidden = true;
    status.textContent = ui.draft_deleted;
  }

  function restore() {
    var draft;
    try {
      draft = JSON.parse(storage.getItem(draftKey) || "null");
    } catch (e) {
      draft = null;
    }
    if (!draft || draft.form !== rules.form || !Array.isArray(draft.values)) return;
    draft.values.forEach(function (pair) {
      var controls = form.elements.namedItem(pair[0]);
      if (!controls) return;
      var list = controls.length !== undefined && !controls.tagName ? Array.prototype.slice.call(controls) : [controls];
      list.forEach(function (control) {
        if (control.type === "radio" || control.type === "checkbox") control.checked = control.value === pair[1];
        else if (control.type !== "file") control.value = pair[1];
      });
    });
    keep.checked = true;
    remove.hidden = false;
    status.textContent = ui.draft_restored.replace("{time}", when(draft.saved));
  }

  var timer;
  var changed = function () {
    if (!keep.checked) return;
    clearTimeout(timer);
    timer = setTimeout(save, 300);
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  keep.addEventListener("change", function () {
    if (keep.checked) save();
    else forget();
  });
  remove.addEventListener("click", forget);
  restore();
})();
