/* Collectivité autocomplete for the vote form: fills the native <datalist> of the code field from
   /votes/collectivites/?q=… (name or code). Without JavaScript, typing the code works the same. */
(function () {
  "use strict";
  var input = document.getElementById("id_collectivite");
  var list = document.getElementById("collectivites-suggestions");
  if (!input || !list || !window.fetch) { return; }
  var endpoint = input.getAttribute("data-autocomplete-url") || "/votes/collectivites/";
  var timer = null;
  var lastQuery = "";

  function render(results) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    results.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.code;
      option.label = item.label;
      option.textContent = item.label;
      list.appendChild(option);
    });
  }

  function search() {
    var query = input.value.trim();
    if (query.length < 2 || query === lastQuery) { return; }
    lastQuery = query;
    fetch(endpoint + "?q=" + encodeURIComponent(query), { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (input.value.trim() === query) { render(data.results || []); } })
      .catch(function () { render([]); });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 200);
  });
})();
