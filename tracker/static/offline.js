// The app on a member's phone (issue 20): visits typed without network wait on the phone and are
// sent when it comes back; what the phone keeps belongs to one login and is deleted with it.
//
// - The page says which login it belongs to (meta offline-user; a member's page also
//   offline-session with the time the session ends: tracker/blueprints/offline.py). A page of
//   another login deletes everything kept; the login page deletes the kept pages (the session has
//   ended) but not visits still waiting, which are sent once the same login is back; logging out
//   deletes everything (it asks first when visits are still waiting).
// - Visits wait in IndexedDB ("tracker-offline", store "outbox"), each with its form key
//   (tracker/web/once.py): a visit sent twice (network back, page reloaded, two tabs) is saved
//   once, and it leaves the phone only when the server answers "saved" or "saved before". A visit
//   the server refuses stays, with the server's reasons, until the member fixes or discards it.
// - The member's list of people and each person's visit form are kept by the service worker
//   (static/service-worker.js); this script also keeps them when the worker is not yet running.
(function () {
  "use strict";
  if (!window.indexedDB || !window.caches || !window.fetch || !window.Promise) return;

  var DB_NAME = "tracker-offline";
  var PAGES = "pages-";
  var en = document.documentElement.lang === "en";
  var T = en
    ? {
        waiting: function (n) { return "Saved on the phone, will be sent when there is network: " + n + (n === 1 ? " visit waiting." : " visits waiting."); },
        loginAgain: "Log in again to send them.",
        logIn: "Log in",
        sendNow: "Send now",
        sent: function (n) { return n + (n === 1 ? " visit saved on the phone was sent." : " visits saved on the phone were sent."); },
        notSent: "Not sent yet",
        notSentHelp: "The fund did not accept these visits. Fix and send again, or discard.",
        fix: "Fix",
        resend: "Send again",
        discard: "Discard",
        discardConfirm: "Discard this visit? It has not reached the fund.",
        logoutConfirm: function (n) { return n + " visit(s) have not been sent yet. Logging out deletes them from the phone. Log out anyway?"; },
        offlineCopy: "No network: this is the copy kept on the phone.",
        savedHere: function (n) { return "Saved on the phone, will be sent when there is network. Waiting: " + n + "."; },
      }
    : {
        waiting: function (n) { return "Đã lưu trên máy, sẽ gửi khi có mạng: " + n + " lần thăm đang chờ gửi."; },
        loginAgain: "Hãy đăng nhập lại để gửi.",
        logIn: "Đăng nhập",
        sendNow: "Gửi ngay",
        sent: function (n) { return "Đã gửi " + n + " lần thăm lưu trên máy."; },
        notSent: "Chưa gửi được",
        notSentHelp: "Quỹ chưa nhận các lần thăm này. Sửa rồi gửi lại, hoặc bỏ.",
        fix: "Sửa",
        resend: "Gửi lại",
        discard: "Bỏ",
        discardConfirm: "Bỏ lần thăm này? Lần thăm chưa đến được Quỹ.",
        logoutConfirm: function (n) { return "Còn " + n + " lần thăm chưa gửi. Đăng xuất sẽ xóa chúng khỏi máy. Vẫn đăng xuất?"; },
        offlineCopy: "Không có mạng: đây là bản lưu trên máy.",
        savedHere: function (n) { return "Đã lưu trên máy, sẽ gửi khi có mạng. Đang chờ gửi: " + n + " lần thăm."; },
      };

  function meta(name) {
    return document.querySelector('meta[name="' + name + '"]');
  }
  var user = meta("offline-user") ? meta("offline-user").content : null;
  var sessionMeta = meta("offline-session");
  var session = sessionMeta ? sessionMeta.content : null;
  var until = sessionMeta ? Number(sessionMeta.getAttribute("data-until")) : 0;
  var fallbackPage = !!meta("offline-fallback");
  var keptCopy = !!meta("offline-copy"); // served by the worker from the phone's store
  var loginNeeded = false;
  var justSent = 0;

  // ------------------------------------------------------------------ the phone's store

  var dbPromise = null;
  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore("outbox", { keyPath: "key" });
          request.result.createObjectStore("meta", { keyPath: "name" });
        };
        request.onsuccess = function () {
          var db = request.result;
          // another tab deletes the store (a logout): let it
          db.onversionchange = function () {
            db.close();
            dbPromise = null;
          };
          resolve(db);
        };
        request.onerror = function () {
          reject(request.error);
        };
      });
    }
    return dbPromise;
  }

  function dbExists() {
    if (!indexedDB.databases) return Promise.resolve(true);
    return indexedDB.databases().then(function (list) {
      return list.some(function (db) {
        return db.name === DB_NAME;
      });
    });
  }

  function run(store, mode, action) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(store, mode);
        var request = action(transaction.objectStore(store));
        transaction.oncomplete = function () {
          resolve(request ? request.result : undefined);
        };
        transaction.onerror = function () {
          reject(transaction.error);
        };
      });
    });
  }

  function allVisits() {
    return run("outbox", "readonly", function (store) {
      return store.getAll();
    }).then(function (items) {
      return items.sort(function (a, b) {
        return a.saved_at - b.saved_at;
      });
    });
  }
  function putVisit(item) {
    return run("outbox", "readwrite", function (store) {
      return store.put(item);
    });
  }
  function removeVisit(key) {
    return run("outbox", "readwrite", function (store) {
      return store.delete(key);
    });
  }

  function deleteDb() {
    var closing = dbPromise
      ? dbPromise.then(function (db) {
          db.close();
        }, function () {})
      : Promise.resolve();
    dbPromise = null;
    return closing.then(function () {
      return new Promise(function (resolve) {
        var request = indexedDB.deleteDatabase(DB_NAME);
        request.onsuccess = request.onerror = request.onblocked = function () {
          resolve();
        };
      });
    });
  }

  function deleteCaches(filter) {
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(filter).map(function (name) {
        return caches.delete(name);
      }));
    });
  }
  function deletePages(except) {
    return deleteCaches(function (name) {
      return name.indexOf(PAGES) === 0 && name !== except;
    });
  }
  // Everything of the login: its pages and its visits. The worker's own store (the offline page,
  // static files) holds no one's data and stays, so the offline page still shows after a logout.
  function deleteEverything() {
    return Promise.all([deletePages(null), deleteDb()]);
  }

  // ------------------------------------------------------------------ keeping the member's pages

  function pagesName() {
    return PAGES + session + "-" + until;
  }

  // Keeps a page of the member's own people, if the server says it may be kept (X-Offline-Keep).
  function keep(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      var mark = response.headers.get("X-Offline-Keep");
      if (!response.ok || response.redirected || mark !== session + " " + until) return;
      return caches.open(pagesName()).then(function (cache) {
        return cache.put(url, response);
      });
    });
  }

  // Each person listed on this page gets their visit form kept, one after another (a slow network
  // is shared with what the member is doing), skipping forms already kept for this session.
  function keepVisitForms() {
    var ids = {};
    Array.prototype.forEach.call(document.querySelectorAll('main a[href^="/people/"]'), function (link) {
      var found = /^\/people\/(\d+)$/.exec(new URL(link.href).pathname);
      if (found) ids[found[1]] = true;
    });
    var urls = Object.keys(ids).map(function (id) {
      return new URL("/visits/new/" + id, location.href).href;
    });
    return caches.open(pagesName()).then(function (cache) {
      return urls.reduce(function (chain, url) {
        return chain.then(function () {
          return cache.match(url).then(function (kept) {
            return kept ? null : keep(url);
          });
        });
      }, Promise.resolve());
    });
  }

  function keepThisPage() {
    // the worker keeps pages it serves; the first page, opened before it ran, is kept here
    if (navigator.serviceWorker && navigator.serviceWorker.controller) return Promise.resolve();
    return keep(location.href.split("#")[0]);
  }

  // ------------------------------------------------------------------ visits typed offline

  function isVisitForm(form) {
    return !!(form && form.matches && form.matches('form[action="/visits"]') && form.elements.person_id);
  }

  function newKey() {
    var bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function localToday() {
    var now = new Date();
    return now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" + String(now.getDate()).padStart(2, "0");
  }

  function keepVisit(form, key) {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && name !== "form_key") fields[name] = String(value);
    });
    // sent later, an empty date would become the day it arrives: it is the day it was typed
    if (!fields.visited_on) fields.visited_on = localToday();
    var heading = document.querySelector("main h1");
    var item = {
      key: key,
      owner: user,
      person_id: fields.person_id,
      person_name: heading ? heading.textContent.trim() : "",
      fields: fields,
      saved_at: Date.now(),
      state: "waiting",
      reasons: [],
    };
    return putVisit(item).then(function () {
      form.reset();
      form.elements.form_key.value = newKey();
      delete form.dataset.draft;
      return waitingCount();
    }).then(function (n) {
      var box = form.closest("#visit-form") || form.parentNode;
      Array.prototype.forEach.call(box.querySelectorAll(".connection-problem, .confirmation"), function (old) {
        old.remove();
      });
      var p = document.createElement("p");
      p.className = "confirmation";
      p.id = "visit-kept";
      p.setAttribute("role", "status");
      p.textContent = T.savedHere(n);
      box.appendChild(p);
      render();
    });
  }

  function waitingCount() {
    return allVisits().then(function (items) {
      return items.filter(function (item) {
        return item.state === "waiting";
      }).length;
    });
  }

  // No network (or no answer): the visit waits on the phone with the form's key. If the server did
  // save it and only the answer was lost, sending it again saves nothing (once.py). The form gets a
  // new key for the next visit. (navigator.onLine is no guide: it says "online" on a phone with a
  // signal and no data, and in Chromium's offline emulation.)
  function keepUnsent(event) {
    var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form") : null;
    if (!session || !isVisitForm(form)) return;
    keepVisit(form, form.elements.form_key.value);
  }
  document.addEventListener("htmx:sendError", keepUnsent);
  document.addEventListener("htmx:timeout", keepUnsent); // the form's hx-request timeout

  // A refused visit opened to be fixed: saved from the form, it leaves the list. (Before the swap:
  // the answer replaces the form, and an event on a removed form no longer reaches the document.)
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target || event.target;
    var form = target && target.querySelector ? target.querySelector("form[data-draft]") : null;
    if (!isVisitForm(form) || event.detail.xhr.status !== 200) return;
    removeVisit(form.dataset.draft).then(render);
  });

  // Each opening of the form is a new visit: a kept copy of the page carries the key it had when
  // it was kept, and two visits with one key would be saved as one.
  function freshKeys() {
    Array.prototype.forEach.call(document.querySelectorAll('form[action="/visits"]'), function (form) {
      if (isVisitForm(form) && form.elements.form_key) form.elements.form_key.value = newKey();
    });
  }

  function openDraft() {
    var key = new URLSearchParams(location.search).get("draft");
    var form = document.querySelector('form[action="/visits"]');
    if (!key || !isVisitForm(form)) return Promise.resolve();
    return allVisits().then(function (items) {
      var item = items.filter(function (i) { return i.key === key && i.owner === user; })[0];
      if (!item) return;
      Object.keys(item.fields).forEach(function (name) {
        var field = form.elements[name];
        if (!field) return;
        if (field instanceof RadioNodeList || field.type === "radio") {
          Array.prototype.forEach.call(form.querySelectorAll('[name="' + name + '"]'), function (radio) {
            radio.checked = radio.value === item.fields[name];
          });
        } else {
          field.value = item.fields[name];
        }
      });
      form.elements.form_key.value = item.key;
      form.dataset.draft = item.key;
      var details = form.querySelector("details");
      if (details) details.open = true;
    });
  }

  // ------------------------------------------------------------------ sending

  var sending = null;
  function send() {
    if (!session) return Promise.resolve();
    if (sending) return sending;
    // two tabs send one after the other; the form key would save a visit once anyway
    var job = navigator.locks ? navigator.locks.request("tracker-offline-send", sendWaiting) : sendWaiting();
    sending = job.then(null, function () {}).then(function () {
      sending = null;
      return render();
    });
    return sending;
  }

  function sendWaiting() {
    return allVisits().then(function (items) {
      var waiting = items.filter(function (item) {
        return item.state === "waiting" && item.owner === user;
      });
      if (!waiting.length) return;
      return fetch("/offline/state", { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
        if (response.redirected || response.status === 401) {
          loginNeeded = true;
          return;
        }
        if (!response.ok) return;
        return response.json().then(function (state) {
          if (state.user !== user) return; // another login since this page: not theirs to send
          loginNeeded = false;
          return waiting.reduce(function (chain, item) {
            return chain.then(function (go) {
              return go === false ? false : sendOne(item, state.csrf_token);
            });
          }, Promise.resolve(true));
        });
      });
    });
  }

  // Resolves false when sending should stop (no network, the session ended, the server is busy).
  function sendOne(item, token) {
    var body = new FormData();
    Object.keys(item.fields).forEach(function (name) {
      body.append(name, item.fields[name]);
    });
    body.set("form_key", item.key);
    body.set("csrf_token", token);
    return fetch("/visits/sync", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, Accept: "application/json" },
    }).then(
      function (response) {
        if (response.redirected) {
          loginNeeded = true;
          return false;
        }
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json) return false; // an expired token or a busy server: it waits for the next try
        return response.json().then(function (answer) {
          if (answer.status === "saved" || answer.status === "saved_before") {
            justSent += 1;
            return removeVisit(item.key);
          }
          if (answer.status === "refused") {
            item.state = "refused";
            item.gone = response.status === 404; // not the member's to visit: nothing to fix
            item.reasons = answer.reasons || [];
            return putVisit(item);
          }
        });
      },
      function () {
        return false;
      }
    );
  }

  // ------------------------------------------------------------------ what the member sees

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function isoToScreen(iso) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return parts ? parts[3] + "/" + parts[2] + "/" + parts[1] : "";
  }

  function render() {
    return dbExists().then(function (exists) {
      return exists ? allVisits() : [];
    }).then(function (items) {
      items = items.filter(function (item) {
        return !user || item.owner === user;
      });
      var waiting = items.filter(function (item) { return item.state === "waiting" || !user; });
      var refused = items.filter(function (item) { return item.state === "refused"; });
      var main = document.querySelector("main");
      if (!main) return;
      var old = document.getElementById("offline-banner");
      if (old) old.remove();
      var offlineCopy = session && keptCopy;
      if (!waiting.length && !refused.length && !justSent && !offlineCopy) return;
      var box = el("div", "offline-banner no-print");
      box.id = "offline-banner";
      if (offlineCopy) box.appendChild(el("p", "flash flash-info", T.offlineCopy));
      if (justSent) {
        var done = el("p", "flash flash-success", T.sent(justSent));
        done.id = "offline-sent";
        done.setAttribute("role", "status");
        box.appendChild(done);
      }
      if (waiting.length) {
        var line = el("p", "flash flash-warning");
        line.id = "offline-waiting";
        line.setAttribute("role", "status");
        line.appendChild(el("span", "", T.waiting(waiting.length)));
        if (loginNeeded || (!user && !fallbackPage)) {
          line.appendChild(document.createTextNode(" " + T.loginAgain + " "));
          if (user) {
            var link = el("a", "", T.logIn);
            link.href = "/login";
            line.appendChild(link);
          }
        } else if (session) {
          var now = el("button", "link-button", T.sendNow);
          now.type = "button";
          now.addEventListener("click", send);
          line.appendChild(document.createTextNode(" "));
          line.appendChild(now);
        }
        box.appendChild(line);
      }
      // on the login page, no names: only that visits wait for a login
      if (refused.length && user) box.appendChild(refusedList(refused));
      main.insertBefore(box, main.firstChild);
    });
  }

  function refusedList(refused) {
    var section = el("section", "card not-sent");
    section.id = "not-sent";
    section.setAttribute("aria-labelledby", "not-sent-heading");
    var heading = el("h2", "", T.notSent);
    heading.id = "not-sent-heading";
    section.appendChild(heading);
    section.appendChild(el("p", "muted", T.notSentHelp));
    var list = el("ul", "not-sent-list");
    refused.forEach(function (item) {
      var li = el("li");
      li.setAttribute("data-key", item.key);
      li.appendChild(el("strong", "", item.person_name + " · " + isoToScreen(item.fields.visited_on)));
      if (item.fields.summary) li.appendChild(el("p", "muted", item.fields.summary));
      (item.reasons || []).forEach(function (reason) {
        li.appendChild(el("p", "field-error", reason));
      });
      var actions = el("p", "actions");
      if (user) {
        if (!item.gone) {
          var fix = el("a", "button", T.fix);
          fix.href = "/visits/new/" + encodeURIComponent(item.person_id) + "?draft=" + encodeURIComponent(item.key);
          actions.appendChild(fix);
        }
        var again = el("button", "", T.resend);
        again.type = "button";
        again.addEventListener("click", function () {
          item.state = "waiting";
          item.reasons = [];
          putVisit(item).then(send).then(render);
        });
        actions.appendChild(again);
      }
      var discard = el("button", "danger", T.discard);
      discard.type = "button";
      discard.addEventListener("click", function () {
        if (window.confirm(T.discardConfirm)) removeVisit(item.key).then(render);
      });
      actions.appendChild(discard);
      li.appendChild(actions);
      list.appendChild(li);
    });
    section.appendChild(list);
    return section;
  }

  // ------------------------------------------------------------------ logging out

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!form.matches || !form.matches('form[action="/logout"]') || form.dataset.cleared) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      dbExists()
        .then(function (exists) {
          return exists ? waitingCount() : 0;
        })
        .then(function (n) {
          if (n && !window.confirm(T.logoutConfirm(n))) return;
          return deleteEverything().then(function () {
            form.dataset.cleared = "1";
            form.submit();
          });
        });
    },
    true
  );

  // ------------------------------------------------------------------ on opening a page

  function start() {
    if (!user) {
      // the login page: the session has ended, its pages go; visits still waiting stay for the
      // same login to send (the banner says so). The offline page keeps everything.
      if (fallbackPage) return render();
      return deletePages(null).then(function () {
        return dbExists();
      }).then(function (exists) {
        if (!exists) return;
        return waitingCount().then(function (n) {
          return n ? render() : deleteDb();
        });
      });
    }
    return dbExists()
      .then(function (exists) {
        if (!exists) return;
        return run("meta", "readonly", function (store) {
          return store.get("owner");
        }).then(function (owner) {
          // another login on this phone: nothing of the one before may stay
          if (owner && owner.value !== user) return deleteEverything();
        });
      })
      .then(function () {
        if (!session || until * 1000 <= Date.now()) {
          // a login that keeps nothing (not a member), or a session past its maximum age
          return deletePages(null).then(function () {
            return dbExists();
          }).then(function (exists) {
            if (!exists) return;
            return allVisits().then(function (items) {
              return items.length ? render() : deleteDb();
            });
          });
        }
        return run("meta", "readwrite", function (store) {
          return store.put({ name: "owner", value: user });
        })
          .then(function () {
            return deletePages(pagesName());
          })
          .then(function () {
            if (navigator.serviceWorker) {
              navigator.serviceWorker.register("/service-worker.js", { scope: "/" }).then(null, function () {});
            }
            freshKeys();
            return Promise.all([render(), openDraft()]);
          })
          .then(function () {
            if (keptCopy) return;
            return send()
              .then(keepThisPage)
              .then(keepVisitForms)
              .then(null, function () {});
          })
      });
  }

  window.addEventListener("online", function () {
    send();
  });
  // A phone does not always say when the network is back: try again now and then while visits wait.
  setInterval(function () {
    if (session && !sending && document.getElementById("offline-waiting")) send();
  }, 30000);
  // for tests and benchmarks: what this page had to do is done
  function done() {
    document.documentElement.setAttribute("data-offline-ready", "1");
  }
  start().then(done, done);
})();
