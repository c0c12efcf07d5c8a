// Switchboard dashboards: what the wallboard and the intake form share —
// finding the API token, calling the API, and writing times for people.
// Plain browser JavaScript, no build step, no external resources.
"use strict";

var SB = (function () {
  var STORAGE_KEY = "switchboard.token";

  // The directory the page was served from, so that the pages also work
  // behind a reverse proxy that mounts the desk under a path prefix.
  function basePath() {
    var p = location.pathname;
    return p.slice(0, p.lastIndexOf("/") + 1);
  }

  // token returns the API token: from the URL fragment (#token=...), which
  // is then stored and removed from the address bar, or from localStorage.
  function token() {
    var m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
    if (m) {
      var t = decodeURIComponent(m[1]);
      saveToken(t);
      history.replaceState(null, "", location.pathname + location.search);
      return t;
    }
    try {
      return localStorage.getItem(STORAGE_KEY) || "";
    } catch (e) {
      return "";
    }
  }

  function saveToken(t) {
    try {
      if (t) localStorage.setItem(STORAGE_KEY, t);
      else localStorage.removeItem(STORAGE_KEY);
    } catch (e) { /* private mode: keep it for this page only */ }
  }

  // askToken shows the token dialog (an element #token-dialog holding a
  // form with an input named "token") and calls done with the token.
  function askToken(message, done) {
    var dlg = document.getElementById("token-dialog");
    var form = dlg.querySelector("form");
    dlg.querySelector(".token-message").textContent = message || "";
    dlg.hidden = false;
    var input = form.elements.token;
    input.value = "";
    input.focus();
    form.onsubmit = function (e) {
      e.preventDefault();
      var t = input.value.trim();
      if (!t) return;
      saveToken(t);
      dlg.hidden = true;
      done(t);
    };
  }

  // api calls the JSON API and resolves with {status, body, headers}; it
  // rejects only when the daemon cannot be reached.
  function api(method, path, tok, body, headers) {
    var h = { "Accept": "application/json" };
    if (tok) h["Authorization"] = "Bearer " + tok;
    if (body !== undefined) h["Content-Type"] = "application/json";
    for (var k in headers || {}) h[k] = headers[k];
    return fetch(basePath() + "api/v1" + path, {
      method: method, headers: h, cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (resp) {
      return resp.text().then(function (text) {
        var parsed = null;
        try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = null; }
        return { status: resp.status, body: parsed, text: text, headers: resp.headers };
      });
    });
  }

  // errorMessage is the API's error message, or a description of the
  // response when it is not a switchboard error body.
  function errorMessage(res) {
    if (res.body && res.body.error && res.body.error.message) return res.body.error.message;
    return "HTTP " + res.status + (res.text ? ": " + res.text.slice(0, 200) : "");
  }

  // uuid returns a random UUID; crypto.randomUUID needs a secure context
  // (https or localhost), so fall back to getRandomValues on plain http.
  function uuid() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // nextDue is the ticket's unmet SLA target due first, or null.
  function nextDue(t) {
    var next = null;
    (t.sla || []).forEach(function (tg) {
      if (tg.state === "met" || !tg.due_at) return;
      if (!next || Date.parse(tg.due_at) < Date.parse(next.due_at)) next = tg;
    });
    return next;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // span writes a duration in ms briefly: "45s", "14m", "2h 05m", "3d 4h".
  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    if (s < 60) return s + "s";
    var m = Math.floor(s / 60);
    if (m < 60) return m + "m";
    var h = Math.floor(m / 60);
    if (h < 24) return h + "h " + pad(m % 60) + "m";
    return Math.floor(h / 24) + "d " + (h % 24) + "h";
  }

  // countdown describes a target against now (ms): the text to show and a
  // level, "ok", "warning" or "breached".
  function countdown(tg, now) {
    var left = Date.parse(tg.due_at) - now;
    if (tg.state === "breached" || left < 0) {
      return { text: "breached " + span(left) + " ago", level: "breached" };
    }
    var s = Math.floor(left / 1000);
    var text = s >= 3600 ? span(left) : pad(Math.floor(s / 60)) + ":" + pad(s % 60);
    return { text: text, level: tg.state === "warning" ? "warning" : "ok" };
  }

  // clock writes a time as local HH:MM:SS, or with the date when it is not
  // today.
  function clock(iso, now) {
    var d = new Date(iso);
    var t = pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
    var n = new Date(now === undefined ? Date.now() : now);
    if (d.toDateString() === n.toDateString()) return t;
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + t.slice(0, 5);
  }

  // summary describes an event's data in a few words, like the CLI.
  function summary(ev) {
    var d = ev.data;
    if (!d || typeof d !== "object") return "";
    switch (ev.type) {
      case "ticket.status_changed":
        return d.from + " → " + d.to + (d.note ? ": " + d.note : "");
      case "sla.warning": case "sla.breached": case "sla.met":
        return d.target + (d.due_at ? " (due " + clock(d.due_at, Date.parse(ev.at)) + ")" : "");
      case "escalated":
        var who = (d.people && d.people.length ? d.people : d.roles || []).join(", ");
        return d.target + " level " + d.level + (d.name ? " " + d.name : "") + (who ? " → " + who : "");
    }
    return Object.keys(d).sort().map(function (k) {
      var v = d[k];
      return k + "=" + (typeof v === "string" ? v : JSON.stringify(v));
    }).join(" ").slice(0, 80);
  }

  // el makes an element with a class and text; text is never parsed as
  // HTML (titles come from the public).
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  return {
    basePath: basePath, token: token, saveToken: saveToken, askToken: askToken,
    api: api, errorMessage: errorMessage, uuid: uuid, nextDue: nextDue, span: span,
    countdown: countdown, clock: clock, summary: summary, el: el, pad: pad
  };
})();

if (typeof module !== "undefined") module.exports = SB;
