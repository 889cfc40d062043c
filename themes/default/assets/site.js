// Progressive enhancement only: every page works without this script.
// On the index it adds a search box over every place and its office. The
// list (orte/suche.js, generated) is loaded once, when the citizen starts
// typing; without JavaScript the pages per letter and per Kreis, searched
// with the browser's find function (Ctrl+F), do the same job.
(function () {
  "use strict";
  var filter = document.querySelector("[data-filter]");
  if (!filter) return;
  var input = filter.querySelector("input");
  var status = filter.querySelector("[role=status]");
  var results = filter.querySelector("#filter-results");
  var LIMIT = 20;
  var fold = function (text) {
    return text.toLowerCase()
      .replace(/[äáàâ]/g, "a").replace(/[öóô]/g, "o").replace(/[üúû]/g, "u")
      .replace(/[éèê]/g, "e").replace(/ß/g, "ss");
  };
  var data = null;
  var names = null;
  var loading = false;
  var timer;
  var load = function (then) {
    if (data) { then(); return; }
    if (loading) return;
    loading = true;
    var script = document.createElement("script");
    script.src = filter.getAttribute("data-index");
    script.onload = function () {
      data = self.einbuergerungOrte || { offices: [], places: [] };
      names = data.places.map(function (place) { return fold(place[0]); });
      then();
    };
    script.onerror = function () { loading = false; };
    document.head.appendChild(script);
  };
  var matches = function (query) {
    var digits = /^[0-9]+$/.test(query);
    var found = [];
    data.places.forEach(function (place, i) {
      var hit = digits
        ? place[1].indexOf(query) === 0 || (" " + (place[3] || "")).indexOf(" " + query) !== -1
        : names[i].indexOf(query) !== -1;
      if (hit) found.push({ place: place, starts: digits || names[i].indexOf(query) === 0 });
    });
    // Names that begin with what was typed come first.
    found.sort(function (a, b) { return (a.starts ? 0 : 1) - (b.starts ? 0 : 1); });
    return found.map(function (f) { return f.place; });
  };
  var entry = function (place) {
    var office = data.offices[place[2]];
    var item = document.createElement("li");
    item.className = "place";
    var name = document.createElement("span");
    name.className = "place-name";
    name.textContent = place[0];
    item.appendChild(name);
    item.appendChild(document.createTextNode(" " + place[1] + " – "));
    if (office[1]) {
      var link = document.createElement("a");
      link.href = office[1];
      link.textContent = office[0];
      item.appendChild(link);
    } else {
      item.appendChild(document.createTextNode(office[0] + " (" + filter.getAttribute("data-not-online") + ")"));
    }
    return item;
  };
  var show = function () {
    var query = fold(input.value.trim());
    results.textContent = "";
    if (query === "") {
      status.textContent = "";
      results.hidden = true;
      return;
    }
    var found = matches(query);
    found.slice(0, LIMIT).forEach(function (place) { results.appendChild(entry(place)); });
    results.hidden = found.length === 0;
    status.textContent = filter.getAttribute("data-status").replace("{count}", found.length);
  };
  filter.hidden = false;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { load(show); }, 150);
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
