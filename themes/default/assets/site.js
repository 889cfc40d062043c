// Progressive enhancement only: every page works without this script.
// On the index of all offices it adds a filter box; without JavaScript the
// browser's own find function (Ctrl+F) does the same job on the full list.
(function () {
  "use strict";
  var filter = document.querySelector("[data-filter]");
  if (!filter) return;
  var input = filter.querySelector("input");
  var status = filter.querySelector("[role=status]");
  var entries = Array.prototype.slice.call(document.querySelectorAll(".entry"));
  var groups = Array.prototype.slice.call(document.querySelectorAll(".letter-group"));
  var fold = function (text) {
    return text.toLowerCase()
      .replace(/ä/g, "a").replace(/ö/g, "o").replace(/ü/g, "u").replace(/ß/g, "ss");
  };
  var texts = entries.map(function (entry) { return fold(entry.textContent); });
  var timer;
  filter.hidden = false;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var query = fold(input.value.trim());
      var shown = 0;
      entries.forEach(function (entry, i) {
        var match = query === "" || texts[i].indexOf(query) !== -1;
        entry.hidden = !match;
        if (match) shown += 1;
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector(".entry:not([hidden])");
      });
      status.textContent = query === "" ? "" : filter.getAttribute("data-status").replace("{count}", shown);
    }, 150);
  });
})();

// Quick-check: remembers the answers given in this tab (sessionStorage, never
// sent anywhere) to list them on the result page, and makes the back link
// return to the question the reader actually came from.
(function () {
  "use strict";
  var question = document.querySelector("[data-question]");
  var outcome = document.querySelector("[data-outcome]");
  if (!question && !outcome) return;
  var key = "quick-check:" + location.pathname.split("/quick-check/")[0];
  var load = function () {
    try { return JSON.parse(sessionStorage.getItem(key) || "[]"); } catch (e) { return []; }
  };
  var save = function (list) {
    try { sessionStorage.setItem(key, JSON.stringify(list)); } catch (e) { /* storage off: nothing to remember */ }
  };
  if (question) {
    var id = question.getAttribute("data-question");
    var answers = load();
    var seen = answers.map(function (a) { return a.id; }).indexOf(id);
    // Arriving at a question again (back, or a new start) forgets what followed it.
    if (seen !== -1) answers = answers.slice(0, seen);
    save(answers);
    var heading = question.querySelector("h1").textContent;
    // Pages reached by an answer in this tab: there, the previous page in the
    // history is the previous question. (Pages send no referrer, by policy.)
    var viaKey = key + ":via-answer";
    var via = function () {
      try { return JSON.parse(sessionStorage.getItem(viaKey) || "[]"); } catch (e) { return []; }
    };
    Array.prototype.forEach.call(question.querySelectorAll("[data-answer]"), function (link) {
      link.addEventListener("click", function () {
        save(answers.concat([{ id: id, question: heading, answer: link.textContent }]));
        try { sessionStorage.setItem(viaKey, JSON.stringify(via().concat([link.pathname]))); } catch (e) { /* storage off */ }
      });
    });
    var back = document.querySelector("[data-back]");
    if (back && answers.length > 0 && via().indexOf(location.pathname) !== -1) {
      back.addEventListener("click", function (event) {
        event.preventDefault();
        history.back();
      });
    }
  }
  if (outcome) {
    var given = load();
    var box = document.querySelector("[data-your-answers]");
    if (!box || given.length === 0) return;
    var list = box.querySelector("dl");
    given.forEach(function (entry) {
      var dt = document.createElement("dt");
      dt.textContent = entry.question;
      var dd = document.createElement("dd");
      dd.textContent = entry.answer;
      list.appendChild(dt);
      list.appendChild(dd);
    });
    box.hidden = false;
  }
})();

// Confirmation page: shows the reference from ?ref= (the address bar has it
// too, which the page says for readers without JavaScript).
(function () {
  "use strict";
  var target = document.querySelector("[data-reference]");
  if (!target) return;
  var match = /[?&]ref=([A-Za-z0-9-]{4,40})/.exec(location.search);
  if (!match) return;
  target.textContent = match[1];
  target.hidden = false;
  var fallback = document.querySelector("[data-reference-fallback]");
  if (fallback) fallback.hidden = true;
})();
