// Live notifications for a signed-in person: an EventSource on
// /notifications/stream/ keeps the header's unread count current and, on
// /notifications/, adds each new notice at the top of the list. The browser
// reconnects by itself (the server closes the stream every few minutes and
// the browser resumes with Last-Event-ID); when the stream keeps failing the
// count is fetched from /notifications/unread/ every 30 s instead. Without
// this script the pages are plain and correct: the count is as rendered.
(function () {
  "use strict";

  var FAILURES_BEFORE_POLLING = 3;
  var POLL_MS = 30000;

  var link = document.querySelector("[data-notices-link]");
  if (!link) return;
  var list = document.querySelector("[data-notice-list]");

  function updateCount(count) {
    if (typeof count !== "number") return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-notices-count]"), function (badge) {
      badge.textContent = String(count);
      badge.classList.toggle("badge-quiet", count === 0);
    });
    var label = document.querySelector("[data-notices-label]");
    if (label) {
      label.textContent = count === 0 ? link.dataset.labelNone : link.dataset.labelSome.replace("%(count)s", count);
    }
  }

  function prepend(notice) {
    if (!list || !("live" in list.dataset) || list.querySelector('[data-notice-id="' + notice.id + '"]')) return;
    var item = document.createElement("li");
    item.className = "notice notice-unread";
    item.dataset.noticeId = String(notice.id);
    var anchor = document.createElement("a");
    anchor.href = list.dataset.openUrl.replace("/0/", "/" + notice.id + "/");
    var tag = document.createElement("span");
    tag.className = "tag notice-new";
    tag.textContent = list.dataset.unreadLabel;
    var title = document.createElement("span");
    title.className = "notice-title";
    title.textContent = notice.title;
    anchor.appendChild(tag);
    anchor.appendChild(document.createTextNode(" "));
    anchor.appendChild(title);
    var time = document.createElement("time");
    time.dateTime = notice.created;
    time.textContent = new Date(notice.created).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
    item.appendChild(anchor);
    item.appendChild(time);
    list.insertBefore(item, list.firstChild);
    list.hidden = false;
    var empty = document.querySelector("[data-notice-empty]");
    if (empty) empty.hidden = true;
  }

  function poll() {
    var ask = function () {
      fetch(link.dataset.unreadUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) { if (body) updateCount(body.unread); })
        .catch(function () { /* offline: the next round asks again */ });
    };
    ask();
    window.setInterval(ask, POLL_MS);
  }

  if (!("EventSource" in window)) {
    poll();
    return;
  }

  // The list page starts after the newest notice it shows; any other page
  // after the moment it was made.
  var start = list && Number(list.dataset.newestId) > 0
    ? "after=" + encodeURIComponent(list.dataset.newestId)
    : "since=" + encodeURIComponent(link.dataset.since || "");
  var source = new EventSource(link.dataset.streamUrl + "?" + start);
  var failures = 0;
  source.addEventListener("open", function () { failures = 0; });
  source.addEventListener("message", function (event) {
    var notice;
    try { notice = JSON.parse(event.data); } catch (error) { return; }
    updateCount(notice.unread);
    prepend(notice);
  });
  source.addEventListener("error", function () {
    failures += 1;
    if (source.readyState === EventSource.CLOSED || failures >= FAILURES_BEFORE_POLLING) {
      source.close();
      poll();
    }
  });
})();
