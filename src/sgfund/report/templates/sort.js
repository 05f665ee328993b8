// Sorting the list of awards by any column: an optional enhancement. The table reads the same
// without it (by round, then recipient); the page's Content-Security-Policy allows only this
// script, by its hash.
(function () {
  "use strict";
  var table = document.getElementById("table-awards");
  if (!table || !table.tHead || !table.tBodies.length) {
    return;
  }
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  function key(row, column) {
    var cell = row.cells[column];
    return cell.getAttribute("data-sort") || cell.textContent.trim();
  }
  heads.forEach(function (th, column) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    th.setAttribute("aria-sort", "none");
    var numeric = th.classList.contains("num");
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      heads.forEach(function (other) {
        other.setAttribute("aria-sort", "none");
      });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, column);
        var y = key(b, column);
        var order = numeric ? Number(x) - Number(y) : x.localeCompare(y, "en-GB");
        return ascending ? order : -order;
      });
      rows.forEach(function (row) {
        body.appendChild(row);
      });
    });
  });
})();
