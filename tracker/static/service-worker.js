// The fund tracker's service worker (served at /service-worker.js, scope /; issue 20).
//
// It keeps only what the server marks as a member's own page (the header X-Offline-Keep: <login
// mark> <until>, see tracker/blueprints/offline.py), in a store named after that login and that
// time: "pages-<mark>-<until>". A page of another login deletes the store of the one before, and
// past <until> (the session's maximum age) nothing kept is served and the store is deleted.
// Static files are kept by their address (it carries a digest of the content); the offline page
// holds no one's data. Everything else goes to the network, and offline a page that is not kept
// gets the offline page ("This page needs the network"): money is never shown from a stale copy.
// Visits typed offline are kept and sent by the page (static/offline.js), not here.
"use strict";

var SHELL = "shell-v1";
var STATIC = "static-v1";
var PAGES = "pages-";
var OFFLINE_PAGE = "/offline";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(SHELL)
      .then(function (cache) {
        return cache.add(new Request(OFFLINE_PAGE, { credentials: "omit" }));
      })
      .then(function () {
        return self.skipWaiting();
      })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name !== SHELL && name !== STATIC && name.indexOf(PAGES) !== 0;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(staticFile(request));
    return;
  }
  // htmx fragments and the page's own questions (offline/state) are never kept
  if (request.headers.get("HX-Request") || url.pathname === "/offline/state") return;
  if (url.pathname === "/service-worker.js") return;
  event.respondWith(networkOrKept(event, request));
});

function staticFile(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (kept) {
      if (kept) return kept;
      return fetch(request).then(function (response) {
        // only a file asked for by its digest never changes under its address
        if (response.ok && new URL(request.url).searchParams.get("v")) {
          cache.put(request, response.clone());
        }
        return response;
      });
    });
  });
}

// A signal that comes and goes often gives no error, only no answer: after this long without one,
// a page the phone keeps is shown from the store (the network's answer, if it comes, is kept).
var NO_ANSWER_MS = 8000;

function networkOrKept(event, request) {
  var fromNetwork = fetch(request).then(function (response) {
    var keep = response.headers.get("X-Offline-Keep");
    if (keep && response.ok && !response.redirected) {
      event.waitUntil(keepPage(request.url, keep, response.clone()));
    } else if (response.redirected && new URL(response.url).pathname === "/login") {
      // the session has ended: nothing of it stays on the phone
      event.waitUntil(deletePages(null));
    }
    return response;
  });
  return new Promise(function (resolve) {
    var answered = false;
    function answer(response) {
      if (!answered) {
        answered = true;
        resolve(response);
      }
    }
    fromNetwork.then(answer, function () {
      answer(keptPage(request));
    });
    setTimeout(function () {
      if (answered) return;
      keptCopy(request).then(function (kept) {
        if (kept) answer(kept);
      });
    }, NO_ANSWER_MS);
  });
}

function keepPage(url, keep, response) {
  var parts = keep.split(" ");
  var name = PAGES + parts[0] + "-" + parts[1];
  return deletePages(name).then(function () {
    return caches.open(name).then(function (cache) {
      return cache.put(url, response);
    });
  });
}

// Deletes every store of kept pages but `except` (null: all of them).
function deletePages(except) {
  return caches.keys().then(function (names) {
    return Promise.all(
      names
        .filter(function (name) {
          return name.indexOf(PAGES) === 0 && name !== except;
        })
        .map(function (name) {
          return caches.delete(name);
        })
    );
  });
}

// The store of the login's kept pages, or null when there is none or its time is up.
function currentPages() {
  return caches.keys().then(function (names) {
    var name = names.filter(function (n) {
      return n.indexOf(PAGES) === 0;
    })[0];
    if (!name) return null;
    var until = Number(name.split("-").pop());
    if (!(until * 1000 > Date.now())) {
      return deletePages(null).then(function () {
        return null;
      });
    }
    return caches.open(name);
  });
}

// The kept copy of the page asked for (a person's page: their visit form), or null.
function keptCopy(request) {
  var url = new URL(request.url);
  return currentPages().then(function (cache) {
    if (!cache) return null;
    return cache.match(request.url).then(function (kept) {
      if (kept) return markedCopy(kept);
      // a person's page offline: their visit form, kept when the member's list was opened
      var person = /^\/people\/(\d+)$/.exec(url.pathname);
      if (!person) return null;
      return cache.match(new URL("/visits/new/" + person[1], url).href).then(function (form) {
        return form ? markedCopy(form) : null;
      });
    });
  });
}

// Offline: the kept copy, or for a page that is not kept the offline page.
function keptPage(request) {
  return keptCopy(request).then(function (kept) {
    if (kept) return kept;
    if (request.mode !== "navigate") return Response.error();
    return caches.match(OFFLINE_PAGE, { cacheName: SHELL }).then(function (page) {
      return (
        page ||
        new Response("Trang này cần có mạng.", {
          status: 503,
          headers: { "Content-Type": "text/plain; charset=utf-8" },
        })
      );
    });
  });
}

// The kept page, marked as a copy (meta offline-copy) so that the page says it is one.
function markedCopy(response) {
  return response.text().then(function (html) {
    var headers = new Headers(response.headers);
    headers.delete("Content-Length");
    headers.delete("Content-Encoding");
    return new Response(html.replace("<head>", '<head>\n  <meta name="offline-copy" content="1">'), {
      status: 200,
      headers: headers,
    });
  });
}
