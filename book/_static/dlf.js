/* Deep Learning Foundations: small fixes to sphinx-book-theme's behaviour.
 *
 * Navigation buttons on every width. The theme's scripts attach their handlers to the *first*
 * element matching ".primary-toggle" (the chapter list) and ".secondary-toggle" (the contents).
 * sphinx-book-theme renders two of each, and the first is a hidden copy in the header, so the
 * buttons a reader sees did nothing (on a phone: no navigation at all). Each visible copy
 * forwards its click to the first one, where the handlers live: on a desktop that collapses the
 * sidebar, on a phone it opens the drawer.
 */
(function () {
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
})();
