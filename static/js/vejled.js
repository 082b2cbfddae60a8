/* vejled — progressive enhancement only; every page works without this file.
   1. Starts the Danish design system's components.
   2. Reports to the server when a video has been played to the end, so the
      caseworker can see it was watched (the answers are recorded either way).
   3. Moves focus to the error summary when a form came back with problems. */
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    if (window.DKFDS && typeof window.DKFDS.init === 'function') {
      try { window.DKFDS.init(); } catch (e) { /* the page works without it */ }
    }
    var summary = document.getElementById('error-summary');
    if (summary) { summary.focus(); }
    var videos = document.querySelectorAll('video[data-finished]');
    Array.prototype.forEach.call(videos, function (video) {
      var reported = false;
      video.addEventListener('ended', function () {
        if (reported) { return; }
        reported = true;
        var body = 'csrf=' + encodeURIComponent(video.getAttribute('data-csrf') || '');
        fetch(video.getAttribute('data-finished'), {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: body,
          credentials: 'same-origin'
        }).catch(function () { reported = false; });
      });
    });
  });
}());
