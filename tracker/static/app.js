// Sends the CSRF token with every htmx request; no inline scripts, so the CSP can forbid them.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.content;
  }
});

// A failed htmx request (network down, server error) must not fail silently on a poor connection.
// The answer may have been lost after the server saved: sending again is safe, because a form that
// creates something carries a key and is saved once (tracker/once.py).
document.addEventListener("htmx:sendError", function (event) {
  showProblem(event, document.documentElement.lang === "en"
    ? "No answer from the server: check the network and send again. A form sent twice is saved only once."
    : "Không nhận được trả lời từ máy chủ: kiểm tra mạng rồi gửi lại. Biểu mẫu gửi hai lần chỉ được lưu một lần.");
});
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  showProblem(event, document.documentElement.lang === "en"
    ? "The server refused the request (error " + status + "). Reload the page and try again."
    : "Máy chủ từ chối yêu cầu (lỗi " + status + "). Tải lại trang rồi thử lại.");
});

// Shown at the top of the form that was sent, where the user is looking (on a phone the page's
// messages at the top are out of sight), else with the page's messages; one at a time per form.
function showProblem(event, text) {
  var p = document.createElement("p");
  p.className = "flash flash-error connection-problem";
  p.setAttribute("role", "alert");
  p.textContent = text;
  var elt = event.detail && event.detail.elt;
  var form = elt && elt.closest ? elt.closest("form") : null;
  var box = form || document.getElementById("flashes");
  if (!box) return;
  var earlier = box.querySelector(".connection-problem");
  if (earlier) earlier.remove();
  box.insertBefore(p, box.firstChild);
  p.scrollIntoView({ block: "nearest" });
}

// A date input shows the date in the browser's own order (11/28/2026 on a PC set up in English,
// where 05/02 reads either way). The line under it writes the day the commune's way, as the
// server first wrote it (formatting.format_weekday_date): "Thứ Bảy, 28/11/2026".
document.addEventListener("input", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches('input[type="date"]')) return;
  var echo = document.getElementById(input.id + "-day");
  if (!echo) return;
  var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.value);
  if (!parts) {
    echo.textContent = echo.getAttribute("data-empty") || "";
    return;
  }
  var day = new Date(Date.UTC(+parts[1], +parts[2] - 1, +parts[3]));
  var weekday = new Intl.DateTimeFormat(document.documentElement.lang || "vi", { weekday: "long", timeZone: "UTC" }).format(day);
  echo.textContent = weekday.charAt(0).toUpperCase() + weekday.slice(1) + ", " + parts[3] + "/" + parts[2] + "/" + parts[1];
});

// ------------------------------------------------------------------------------------------------
// Phone first (issue 16): the folded menu on a wide screen, print buttons, money typed with dots.
// Each is progressive enhancement: without this script the menu opens by its button, the
// browser's own Print prints, and the server accepts an amount typed with or without dots.

// From 900 px the menu is always shown (style.css hides its button by ::details-content); a
// browser that cannot style a <details>' content gets it opened here instead.
function openWideMenu() {
  var menu = document.querySelector("details.menu");
  if (!menu || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 900px)");
  if (wide.matches) menu.open = true;
}

// <button data-print hidden>: shown once there is a script to print with (the CSP forbids onclick).
// Once per button, however often it is called.
function enablePrintButtons() {
  document.querySelectorAll("button[data-print]:not([data-print-ready])").forEach(function (button) {
    button.setAttribute("data-print-ready", "");
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}

// An amount reads 1.500.000 as it is typed. Only digits, dots and spaces are regrouped (anything
// else is left for the server to refuse with its message), and the caret keeps its place among
// the digits.
function groupMoneyDigits(input) {
  var value = input.value;
  if (!/^[\d.\s]*$/.test(value)) return;
  var caret = input.selectionStart === null ? value.length : input.selectionStart;
  var digitsBefore = value.slice(0, caret).replace(/\D/g, "").length;
  var grouped = value.replace(/\D/g, "").replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  if (grouped === value) return;
  input.value = grouped;
  var position = 0;
  for (var seen = 0; position < grouped.length && seen < digitsBefore; position++) {
    if (/\d/.test(grouped[position])) seen++;
  }
  input.setSelectionRange(position, position);
}

document.addEventListener("input", function (event) {
  if (event.target.matches && event.target.matches("input[data-money]")) groupMoneyDigits(event.target);
});

document.addEventListener("DOMContentLoaded", function () {
  openWideMenu();
  enablePrintButtons();
});
