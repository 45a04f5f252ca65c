// The reminders page's "Copy" buttons: put the text of their box on the clipboard, to paste into
// Zalo or an SMS. Where the clipboard is refused (an old phone's browser, a page not on HTTPS) the
// text is selected instead, so a long press copies it. In a file of its own: the CSP allows no
// inline script.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button) {
    return;
  }
  var source = document.getElementById(button.getAttribute("data-copy"));
  var status = button.parentElement.querySelector(".copy-status");
  function tell(copied) {
    if (status) {
      status.textContent = button.getAttribute(copied ? "data-copied" : "data-copy-failed");
    }
  }
  function byHand() {
    source.focus();
    source.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.value).then(
      function () { tell(true); },
      function () { tell(byHand()); }
    );
  } else {
    tell(byHand());
  }
});
