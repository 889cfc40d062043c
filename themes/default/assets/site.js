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
