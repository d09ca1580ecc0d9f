// Share actions (templates/shop/_share.html), enhanced: "Share…" opens the
// browser's own share sheet where it has one (the Web Share API), and "Copy
// link" writes the link to the clipboard where the page may, saying "Link
// copied" in a polite live region. The plain links to the networks work
// without this script, and so does the read-only field with the link, which
// this script hides once "Copy link" can do it. Each way carries its own
// utm_source: the element's data-url (webshare) and data-copy-url (copy).
(function () {
  "use strict";

  var CLEAR_AFTER_MS = 5000;

  function announce(box, message) {
    var status = box.querySelector("[data-share-status]");
    if (!status) return;
    // Emptied first, so that the same message is read out again.
    status.textContent = "";
    window.clearTimeout(status.shareTimer);
    window.setTimeout(function () {
      status.textContent = message;
      status.shareTimer = window.setTimeout(function () {
        status.textContent = "";
      }, CLEAR_AFTER_MS);
    }, 50);
  }

  function showField(box) {
    var field = box.querySelector("[data-share-field]");
    var input = box.querySelector("[data-share-input]");
    if (field) field.hidden = false;
    if (input) {
      input.focus();
      input.select();
    }
  }

  function initNative(box) {
    var button = box.querySelector("[data-share-native]");
    if (!button || typeof navigator.share !== "function") return;
    var data = { title: box.dataset.title, text: box.dataset.text, url: box.dataset.url };
    if (typeof navigator.canShare === "function" && !navigator.canShare(data)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share(data).catch(function (error) {
        // Closing the share sheet is a choice, not an error.
        if (error && error.name === "AbortError") return;
        showField(box);
      });
    });
  }

  function initCopy(box) {
    var button = box.querySelector("[data-share-copy]");
    var field = box.querySelector("[data-share-field]");
    var input = box.querySelector("[data-share-input]");
    if (input) {
      input.addEventListener("focus", function () {
        input.select();
      });
    }
    if (!button || !window.isSecureContext || !navigator.clipboard || !navigator.clipboard.writeText) return;
    button.hidden = false;
    if (field) field.hidden = true;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(box.dataset.copyUrl).then(
        function () {
          announce(box, box.dataset.copied);
        },
        function () {
          showField(box);
          announce(box, box.dataset.copyFailed);
        }
      );
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-share]"), function (box) {
      initNative(box);
      initCopy(box);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
