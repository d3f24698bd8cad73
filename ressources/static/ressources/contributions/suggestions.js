/* Suggestions of collectivités for the « Collectivité » field of the event form.
 * Fills a native <datalist> (accessible, works with the keyboard and screen readers) from
 * /contribuer/collectivites/?q=…; without JavaScript the field still accepts a code. */
(function () {
  "use strict";
  var list = document.getElementById("collectivite-suggestions");
  if (!list) { return; }
  var input = document.querySelector('input[list="collectivite-suggestions"]');
  if (!input) { return; }
  var url = list.getAttribute("data-suggestions-url");
  var timer = null;
  var lastQuery = "";

  function fill(results) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    results.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.label;  // textContent/value: never parsed as HTML
      list.appendChild(option);
    });
  }

  input.addEventListener("input", function () {
    var query = input.value.trim();
    if (query.length < 2 || query === lastQuery) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      lastQuery = query;
      fetch(url + "?q=" + encodeURIComponent(query), {headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {results: []}; })
        .then(function (data) { if (input.value.trim() === query) { fill(data.results || []); } })
        .catch(function () { fill([]); });
    }, 200);
  });
})();
