// Sends the CSRF token with every htmx request; no inline scripts, so the CSP can forbid them.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.content;
  }
});

// A failed htmx request (network down, server error) must not fail silently on a poor connection.
document.addEventListener("htmx:sendError", function () {
  showProblem(document.documentElement.lang === "en"
    ? "No connection: nothing was saved. Check the network and try again."
    : "Mất kết nối: chưa lưu được gì. Kiểm tra mạng rồi thử lại.");
});
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  showProblem(document.documentElement.lang === "en"
    ? "The server refused the request (error " + status + "). Reload the page and try again."
    : "Máy chủ từ chối yêu cầu (lỗi " + status + "). Tải lại trang rồi thử lại.");
});

function showProblem(text) {
  var box = document.getElementById("flashes");
  if (!box) return;
  var p = document.createElement("p");
  p.className = "flash flash-error";
  p.setAttribute("role", "alert");
  p.textContent = text;
  box.appendChild(p);
}
