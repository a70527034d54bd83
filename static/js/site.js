// Site-wide behaviour. Feature scripts live beside their app's templates in static/.
(function () {
  "use strict";
  // Let other scripts update the header cart count: document.dispatchEvent(new CustomEvent("cart:count", {detail: 3}))
  document.addEventListener("cart:count", function (event) {
    document.querySelectorAll("[data-cart-count]").forEach(function (el) {
      el.textContent = String(event.detail);
    });
  });
})();
