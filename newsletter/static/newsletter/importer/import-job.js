// The admin import's progress: asks the job's status every second and redraws the section (progress per
// file, then the report) until the job is done. The rest of the admin stays usable meanwhile.
(function () {
  "use strict";
  var section = document.getElementById("import-job");
  if (!section || !section.dataset.statusUrl) return;
  var url = section.dataset.statusUrl;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (status) {
        section.innerHTML = status.html;
        if (!status.done) window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
