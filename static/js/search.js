// Search page: changing the sort order runs the search again.
(function () {
  "use strict";
  var sort = document.getElementById("id_sort");
  if (sort && sort.form) {
    sort.addEventListener("change", function () { sort.form.submit(); });
  }
})();
