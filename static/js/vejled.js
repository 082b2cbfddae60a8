/* vejled — progressive enhancement only; every page works without this file.
   1. Starts the Danish design system's components.
   2. Reports what the video player did, so the record says what is known: the played
      ranges (the player's own `played` TimeRanges), seeks, reaching the end, captions
      shown, the text version opened.  Reports are small form posts to the page's
      data-report URL: one when the page is ready (so the record knows the script ran),
      then batched — every 10 seconds while playing, on pause, end and text version, and
      with navigator.sendBeacon when the page is left.  Without JavaScript nothing is
      reported, and the record says the page was shown and whether the video was played
      is not known.
   3. Moves focus to the error summary when a form came back with problems.
   4. Keeps the ticked answers not sent yet across the language switch (sessionStorage,
      this tab only), and shows the receipt's print button (without JavaScript the
      page tells how to print with the browser). */
(function () {
  'use strict';

  var BATCH_MS = 10000;
  var MAX_RANGES = 64; /* the server takes at most 64 ranges or seeks per report */
  var MAX_SEEKS = 16;

  function secs(x) {
    return String(Math.round(Math.max(0, x) * 1000) / 1000);
  }

  /* el: the <video>, or (a page without a player) the text version's <details> */
  function track(el) {
    var video = el.tagName === 'VIDEO' ? el : null;
    var url = el.getAttribute('data-report');
    var csrf = el.getAttribute('data-csrf') || '';
    var transcript = document.getElementById('transcript');
    var state = { seeks: [], ended: false, captions: false, transcript: false };
    var dirty = true; /* the first report says the script runs */
    var lastTime = 0;
    var timer = null;
    var helloTimer = null;

    function playedText() {
      var r = video ? video.played : { length: 0 }, out = [];
      for (var i = 0; i < r.length && out.length < MAX_RANGES; i++) {
        out.push(secs(r.start(i)) + '-' + secs(r.end(i)));
      }
      return out.join(',');
    }

    function captionsShowing() {
      var tracks = video.textTracks || [];
      for (var i = 0; i < tracks.length; i++) {
        if (tracks[i].mode === 'showing') { return true; }
      }
      return false;
    }

    function body() {
      var p = new URLSearchParams();
      p.set('csrf', csrf);
      if (video && isFinite(video.duration) && video.duration > 0) { p.set('d', secs(video.duration)); }
      var played = playedText();
      if (played) { p.set('p', played); }
      if (state.seeks.length) { p.set('s', state.seeks.join(',')); }
      if (state.ended) { p.set('e', '1'); }
      if (state.captions) { p.set('c', '1'); }
      if (state.transcript) { p.set('t', '1'); }
      return p;
    }

    function send(leaving) {
      if (!dirty) { return; }
      if (helloTimer) { clearTimeout(helloTimer); helloTimer = null; }
      var p = body();
      var seeks = state.seeks;
      state.seeks = [];
      dirty = false;
      if (leaving && navigator.sendBeacon) {
        navigator.sendBeacon(url, p);
        return;
      }
      fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: p.toString(),
        credentials: 'same-origin',
        keepalive: true
      }).then(function (r) {
        if (r.status >= 500) { throw new Error('retry'); }
      }).catch(function () {
        state.seeks = seeks.concat(state.seeks).slice(0, MAX_SEEKS);
        dirty = true;
      });
    }

    function changed() { dirty = true; }

    /* a text version open from the start (no player) was not opened by the citizen */
    if (transcript && !transcript.open) {
      transcript.addEventListener('toggle', function () {
        if (transcript.open && !state.transcript) {
          state.transcript = true;
          changed();
          send(false);
        }
      });
    }
    window.addEventListener('pagehide', function () { send(true); });
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') { send(true); }
    });
    if (!video) {
      send(false);
      return;
    }

    video.addEventListener('timeupdate', function () {
      if (!video.seeking) { lastTime = video.currentTime; }
      if (!video.paused && captionsShowing()) { state.captions = true; }
      changed();
    });
    video.addEventListener('seeking', function () {
      if (state.seeks.length < MAX_SEEKS) {
        state.seeks.push(secs(lastTime) + '-' + secs(video.currentTime));
      }
      changed();
    });
    video.addEventListener('seeked', function () { lastTime = video.currentTime; });
    video.addEventListener('play', function () {
      if (!timer) { timer = setInterval(function () { send(false); }, BATCH_MS); }
    });
    video.addEventListener('pause', function () {
      if (timer) { clearInterval(timer); timer = null; }
      send(false);
    });
    video.addEventListener('ended', function () {
      state.ended = true;
      changed();
      send(false);
    });
    /* the first report, with the duration once the player knows it */
    if (video.readyState >= 1) {
      send(false);
    } else {
      video.addEventListener('loadedmetadata', function () { dirty = true; send(false); });
      helloTimer = setTimeout(function () { send(false); }, 3000);
    }
  }

  /* the answers form of a video page: data-keep names its entry in sessionStorage */
  function keepAnswers() {
    var form = document.querySelector('form[data-keep]');
    var switcher = document.querySelector('form.vejled-cz-lang');
    if (!form || !window.sessionStorage) { return; }
    var key = 'vejled-' + form.getAttribute('data-keep');
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(key) || 'null'); } catch (e) { saved = null; }
    try { sessionStorage.removeItem(key); } catch (e) { /* storage may be off */ }
    if (saved && saved.length) {
      Array.prototype.forEach.call(form.querySelectorAll('input[type=checkbox], input[type=radio]'),
        function (input) { input.checked = saved.indexOf(input.name + '=' + input.value) >= 0; });
    }
    if (switcher) {
      switcher.addEventListener('submit', function () {
        var ticked = [];
        Array.prototype.forEach.call(form.querySelectorAll('input:checked'), function (input) {
          ticked.push(input.name + '=' + input.value);
        });
        try { sessionStorage.setItem(key, JSON.stringify(ticked)); } catch (e) { /* off */ }
      });
    }
  }

  /* The answers sent once: a second tap while they are on their way (a slow phone
   * network) would record a second submission of the same answers.  Further submits are
   * ignored until the page is shown again (Back, a reload). */
  function submitOnce(form) {
    var sent = false;
    form.addEventListener('submit', function (ev) {
      if (sent) { ev.preventDefault(); return; }
      sent = true;
    });
    window.addEventListener('pageshow', function () { sent = false; });
  }

  function printButton() {
    Array.prototype.forEach.call(document.querySelectorAll('.vejled-print'), function (b) {
      b.hidden = false;
      b.addEventListener('click', function () { window.print(); });
    });
  }

  /* A link in the error summary names a question (its fieldset) or a field.  What explains it
   * (the question's legend, the field's label, hint and message) is brought into view with
   * the field's group, and its first answer or the field itself is focused. */
  function summaryLinks(summary) {
    summary.addEventListener('click', function (ev) {
      var a = ev.target.closest ? ev.target.closest('a[href^="#"]') : null;
      var target = a ? document.getElementById(a.getAttribute('href').slice(1)) : null;
      if (!target) { return; }
      var field = target.matches('input, select, textarea') ? target
        : target.querySelector('input:not([type=hidden]), select, textarea');
      var group = target.closest('.form-group') || target;
      ev.preventDefault();
      group.scrollIntoView();
      if (field) {
        try { field.focus({ preventScroll: true }); } catch (e) { field.focus(); }
      }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    keepAnswers();
    Array.prototype.forEach.call(document.querySelectorAll('form.vejled-answers'), submitOnce);
    printButton();
    if (window.DKFDS && typeof window.DKFDS.init === 'function') {
      try { window.DKFDS.init(); } catch (e) { /* the page works without it */ }
    }
    var summary = document.getElementById('error-summary');
    if (summary) { summaryLinks(summary); summary.focus(); }
    var reporters = document.querySelectorAll('[data-report]');
    Array.prototype.forEach.call(reporters, track);
  });
}());
