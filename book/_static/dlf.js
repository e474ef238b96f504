/* Deep Learning Foundations: small fixes to sphinx-book-theme's behaviour.
 *
 * Navigation buttons on every width. The theme's scripts attach their handlers to the *first*
 * element matching ".primary-toggle" (the chapter list) and ".secondary-toggle" (the contents).
 * sphinx-book-theme renders two of each, and the first is a hidden copy in the header, so the
 * buttons a reader sees did nothing (on a phone: no navigation at all). Each visible copy
 * forwards its click to the first one, where the handlers live: on a desktop that collapses the
 * sidebar, on a phone it opens the drawer.
 *
 * Accessible names. A button that shows text but carries an aria-label without that text (the
 * theme's search field shows "Search Ctrl+K", the code toggles "Show code cell source") is
 * announced under a name a speech-input user cannot say; its label gains the visible text.
 */
(function () {
  function names() {
    document.querySelectorAll("button[aria-label], summary[aria-label]").forEach(function (el) {
      var text = (el.innerText || "").replace(/\s+/g, " ").trim();
      var label = el.getAttribute("aria-label");
      if (!text || label.toLowerCase().indexOf(text.toLowerCase()) >= 0) return;
      if (el.tagName === "SUMMARY") {
        el.removeAttribute("aria-label"); // its visible text ("Show code cell source") names it
      } else {
        el.setAttribute("aria-label", text);
      }
    });
  }
  function forward() {
    [".primary-toggle", ".secondary-toggle"].forEach(function (selector) {
      var buttons = document.querySelectorAll(selector);
      for (var i = 1; i < buttons.length; i++) {
        buttons[i].addEventListener("click", function (event) {
          event.preventDefault();
          event.stopPropagation();
          buttons[0].click();
        });
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", forward);
  } else {
    forward();
  }
  // other scripts add their buttons when the page has loaded: name them afterwards
  window.addEventListener("load", function () {
    names();
    setTimeout(names, 500);
  });
})();
