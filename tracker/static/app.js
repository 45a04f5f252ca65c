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
function noAnswer(event) {
  showProblem(event, document.documentElement.lang === "en"
    ? "No answer from the server: check the network and send again. A form sent twice is saved only once."
    : "Không nhận được trả lời từ máy chủ: kiểm tra mạng rồi gửi lại. Biểu mẫu gửi hai lần chỉ được lưu một lần.");
}
document.addEventListener("htmx:sendError", noAnswer);
document.addEventListener("htmx:timeout", noAnswer); // a form that sets hx-request's timeout (the visit form)
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

// The menu's folded administration entries (a <details>) close as a dropdown does: on Escape
// (focus back on its entry) or a click anywhere else.
function closeNavMore(event) {
  var more = document.querySelector("details.nav-more[open]");
  if (!more) return;
  if (event.type === "keydown") {
    if (event.key !== "Escape") return;
    more.open = false;
    more.querySelector("summary").focus();
  } else if (!more.contains(event.target)) {
    more.open = false;
  }
}
document.addEventListener("keydown", closeNavMore);
document.addEventListener("click", closeNavMore);

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

// After each htmx answer, focus goes where the user's next step is; otherwise a swap drops it on
// the page and the next Tab starts again from the top, and a screen reader says nothing:
// - a refused form (422): its first field in error, whose label and error are then read out;
// - a change saved (any other answer to a POST): the confirmation under the button (.confirmation)
//   or a message (.flash) in what was swapped in, else the first in #flashes (the page's messages, a live region kept in place);
// - a GET (a link that opens an editor, "Cancel"): only if the swap took away the element that had
//   focus, the first field or link of what came in. The search box keeps focus while typing; the
//   count of what was found is announced instead (see announce below).
// One answer settles several elements (its target and each out-of-band swap), each with its own
// event, one after the other in one task: act once, after the last, when the page is complete.
var settling = null;
document.addEventListener("htmx:afterSettle", function (event) {
  if (!settling) {
    settling = { detail: event.detail, elts: [] };
    queueMicrotask(function () {
      var answer = settling;
      settling = null;
      afterAnswer(answer.detail, answer.elts);
    });
  }
  settling.elts.push(event.target);
});

var FOCUSABLE = 'input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled]), '
  + 'button:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])';

function afterAnswer(detail, elts) {
  if (!detail || !detail.xhr) return;  // a swap that answers no request of ours
  var fresh = elts.filter(function (elt) { return elt.isConnected; });
  var verb = detail.requestConfig ? detail.requestConfig.verb : "get";
  announce(fresh);
  if (detail.xhr.status === 422) {
    moveFocus(controlIn(first(fresh, ".has-error")) || first(fresh, ".field-error, [role=alert]"));
  } else if (verb !== "get") {
    moveFocus(first(fresh, ".confirmation, .flash") || document.querySelector("#flashes .flash") || (focusLost() && first(fresh, FOCUSABLE)));
  } else if (focusLost()) {
    moveFocus(first(fresh, FOCUSABLE) || fresh[0]);
  }
}

// A form refused without htmx comes back as a whole page (422): there too, focus starts on the first
// field in error rather than at the top of the page.
document.addEventListener("DOMContentLoaded", function () {
  moveFocus(controlIn(document.querySelector("main .has-error")));
});

// The field to focus in a form's .has-error block (a radio group's first button), if any.
function controlIn(block) {
  return block && (block.matches(FOCUSABLE) ? block : block.querySelector(FOCUSABLE));
}

// The first element matching selector in or among elts, in their order.
function first(elts, selector) {
  for (var i = 0; i < elts.length; i++) {
    var found = elts[i].matches(selector) ? elts[i] : elts[i].querySelector(selector);
    if (found) return found;
  }
  return null;
}

function focusLost() {
  var active = document.activeElement;
  return !active || active === document.body || !active.isConnected;
}

function moveFocus(target) {
  if (!target) return;
  // a field in error may sit in a folded part of the form ("More details")
  for (var fold = target.closest("details:not([open])"); fold; fold = fold.parentElement.closest("details:not([open])")) {
    fold.open = true;
  }
  if (!target.matches(FOCUSABLE)) target.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "nearest" });
}

// Text an answer marks data-announce (the people search's "12 people found") is said by the
// screen reader through #announcer, a live region that stays in the page: the marked element itself
// is new with each answer, and a live region is heard only when it changes, not when it arrives.
// Emptied first, so the same count after another search is said again.
function announce(elts) {
  var marked = first(elts, "[data-announce]");
  var announcer = document.getElementById("announcer");
  if (!marked || !announcer) return;
  announcer.textContent = "";
  setTimeout(function () { announcer.textContent = marked.textContent.trim(); }, 100);
}

// A table wider than the screen scrolls sideways inside its box; the keyboard must reach that box
// to scroll it (WCAG 2.1.1), and a screen reader names it by the table's caption or the heading
// above it. Done here once for every page and every swapped-in table.
document.addEventListener("htmx:load", function (event) {
  var boxes = Array.prototype.slice.call(event.target.querySelectorAll(".table-scroll"));
  if (event.target.matches(".table-scroll")) boxes.push(event.target);
  boxes.forEach(function (box) {
    if (box.hasAttribute("tabindex")) return;
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
      box.setAttribute("aria-label", tableName(box));
    }
  });
});

function tableName(box) {
  var caption = box.querySelector("caption");
  if (caption) return caption.textContent.trim();
  var heading = document.evaluate("preceding::*[self::h1 or self::h2 or self::h3 or self::h4][1]", box, null,
    XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
  heading = heading || document.querySelector("h1");
  return heading ? heading.textContent.trim().replace(/\s+/g, " ") : document.title;
}
