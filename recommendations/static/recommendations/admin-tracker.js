// Tabular inlines (a follow-up's actions): the admin heads each column but gives the
// fields in it no <label>; each field is named after its column's heading, so that screen
// readers announce it. The empty row the admin clones for "Add another" is named too.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".inline-related.tabular table").forEach(function (table) {
    var headings = table.tHead ? table.tHead.rows[0].cells : [];
    table.querySelectorAll("tbody tr.form-row").forEach(function (row) {
      Array.prototype.forEach.call(row.cells, function (cell) {
        var heading = headings[cell.cellIndex];
        var name = heading ? heading.textContent.trim() : "";
        if (!name) {
          return;
        }
        cell.querySelectorAll("input, select, textarea").forEach(function (field) {
          if (field.type !== "hidden" && !field.labels.length && !field.hasAttribute("aria-label")) {
            field.setAttribute("aria-label", name);
          }
        });
      });
    });
  });
});
