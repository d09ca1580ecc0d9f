// The product page's variant picker, enhanced: price, sale or compare-at price, stock,
// SKU, the add-to-cart form and the gallery follow the chosen options at once.
// Without this script the picker is a GET form and the server renders the
// same things; the variant data comes from a json_script element (data, not
// code, so the CSP allows it).
(function () {
  "use strict";

  // The first image is the large one: it loads at once and picks a large
  // rendition from its srcset; the others stay thumbnails.
  function galleryLead(gallery) {
    Array.prototype.forEach.call(gallery.children, function (item, index) {
      var img = item.querySelector("img");
      if (!img) return;
      img.sizes = index === 0 ? gallery.dataset.sizesLead : gallery.dataset.sizesThumb;
      if (index === 0) img.loading = "eager";
    });
  }

  // Choosing a thumbnail makes it the large image; the large one opens the
  // full-size file (as every image does without this script).
  function initGallery() {
    var gallery = document.querySelector("[data-gallery]");
    if (!gallery) return;
    gallery.addEventListener("click", function (event) {
      var link = event.target.closest("a.gallery-link");
      if (!link) return;
      var item = link.closest("[data-image-id]");
      if (!item || item === gallery.firstElementChild) return;
      event.preventDefault();
      gallery.insertBefore(item, gallery.firstElementChild);
      galleryLead(gallery);
    });
  }

  function init() {
    initGallery();
    var dataElement = document.getElementById("product-variants");
    var picker = document.querySelector("[data-variant-picker]");
    if (!dataElement || !picker) return;
    var variants = JSON.parse(dataElement.textContent);
    if (!variants.length) return;

    var optionSelects = Array.prototype.slice.call(picker.querySelectorAll("select[data-option]"));
    var variantSelect = picker.querySelector("select[data-variant-select]");
    var submit = picker.querySelector("[data-picker-submit]");
    if (submit) submit.hidden = true;

    var price = document.querySelector("[data-variant-price]");
    var compare = document.querySelector("[data-variant-compare]");
    var compareAmount = document.querySelector("[data-variant-compare-amount]");
    // A variant on sale (automatic promotions) shows its sale price with the
    // regular price struck through instead of the compare-at price.
    var regular = document.querySelector("[data-variant-regular]");
    var regularAmount = document.querySelector("[data-variant-regular-amount]");
    var stock = document.querySelector("[data-variant-stock]");
    var sku = document.querySelector("[data-variant-sku]");
    var cartVariant = document.querySelector("[data-cart-variant]");
    var quantity = document.querySelector("[data-cart-quantity]");
    var cartSubmit = document.querySelector("[data-cart-submit]");
    var gallery = document.querySelector("[data-gallery]");
    var galleryOrder = gallery ? Array.prototype.slice.call(gallery.children) : [];
    var notice = document.querySelector("[data-product] .message-warning");

    function byId(id) {
      for (var i = 0; i < variants.length; i++) if (variants[i].id === id) return variants[i];
      return null;
    }

    // The variant with the most of the selected values; the one whose
    // select just changed must match, the others may give way.
    function matching(changed) {
      var wanted = optionSelects.map(function (select) { return Number(select.value); });
      var changedValue = changed ? Number(changed.value) : null;
      var best = null;
      var bestScore = -1;
      variants.forEach(function (variant) {
        if (changedValue !== null && variant.values.indexOf(changedValue) === -1) return;
        var score = wanted.filter(function (value) { return variant.values.indexOf(value) !== -1; }).length;
        if (variant.available > 0) score += 0.5;
        if (score > bestScore) { best = variant; bestScore = score; }
      });
      return best;
    }

    function text(element, value) { if (element) element.textContent = value; }

    function show(variant) {
      text(price, variant.salePrice || variant.price);
      if (price) price.classList.toggle("price-sale", !!variant.salePrice);
      if (regular) regular.hidden = !variant.salePrice;
      text(regularAmount, variant.price);
      if (compare) compare.hidden = !variant.compareAt || !!variant.salePrice;
      text(compareAmount, variant.compareAt);
      if (stock) {
        stock.textContent = variant.stock;
        stock.className = "stock stock-" + variant.stockCode;
      }
      text(sku, variant.sku);
      if (cartVariant) cartVariant.value = variant.id;
      showHeart(variant);
      if (quantity) {
        quantity.max = Math.max(variant.available, 1);
        quantity.disabled = variant.available <= 0;
        if (Number(quantity.value) > variant.available) quantity.value = Math.max(Math.min(variant.available, Number(quantity.value)), 1);
      }
      if (cartSubmit) {
        cartSubmit.disabled = variant.available <= 0;
        cartSubmit.textContent = variant.available > 0 ? cartSubmit.dataset.labelAdd : cartSubmit.dataset.labelOut;
      }
      optionSelects.forEach(function (select) {
        variant.values.forEach(function (value) {
          if (select.querySelector('option[value="' + value + '"]')) select.value = String(value);
        });
      });
      if (variantSelect) variantSelect.value = String(variant.id);
      reorderGallery(variant);
      if (notice) notice.hidden = true;
      var url = new URL(window.location.href);
      Array.prototype.slice.call(url.searchParams.keys()).forEach(function (key) {
        if (key.indexOf("option-") === 0) url.searchParams.delete(key);
      });
      url.searchParams.set("variant", variant.id);
      window.history.replaceState(null, "", url);
      var heartNext = heart && heart.querySelector("[data-heart-next]");
      if (heartNext) heartNext.value = url.pathname + url.search;
      var alertNext = stockAlert && stockAlert.querySelector('input[name="next"]');
      if (alertNext) alertNext.value = url.pathname + url.search;
    }

    // The heart (wishlists) saves the chosen variant: it follows the picker.
    var heart = document.querySelector("[data-heart]");
    var stockAlert = document.querySelector("[data-stock-alert]");
    function showHeart(variant) {
      if (stockAlert) {
        stockAlert.hidden = variant.available > 0;
        stockAlert.querySelector("[data-stock-alert-variant]").value = variant.id;
      }
      if (!heart) return;
      var saved = (heart.dataset.saved || "").split(",").indexOf(String(variant.id)) !== -1;
      var button = heart.querySelector("button");
      heart.querySelector("[data-heart-variant]").value = variant.id;
      button.classList.toggle("is-chosen", saved);
      button.setAttribute("aria-pressed", saved ? "true" : "false");
      button.setAttribute("aria-label", saved ? heart.dataset.labelRemove : heart.dataset.labelSave);
      text(heart.querySelector("[data-heart-icon]"), saved ? "\u2665" : "\u2661");
      text(heart.querySelector("[data-heart-text]"), saved ? heart.dataset.textSaved : heart.dataset.textSave);
    }

    // The chosen variant's images first, then the others in their order; the
    // first is the large one, so it loads at once.
    function reorderGallery(variant) {
      if (!gallery) return;
      var own = [];
      var rest = [];
      galleryOrder.forEach(function (item) {
        (variant.images.indexOf(Number(item.dataset.imageId)) !== -1 ? own : rest).push(item);
      });
      own.concat(rest).forEach(function (item) {
        gallery.appendChild(item);
      });
      galleryLead(gallery);
    }

    picker.addEventListener("change", function (event) {
      var target = event.target;
      var variant = target === variantSelect ? byId(Number(target.value)) : matching(target);
      if (variant) show(variant);
    });
    picker.addEventListener("submit", function (event) {
      var variant = variantSelect ? byId(Number(variantSelect.value)) : matching(null);
      if (variant) {
        event.preventDefault();
        show(variant);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
