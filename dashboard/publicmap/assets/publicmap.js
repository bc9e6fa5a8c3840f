/* つどいマップ: the one-file offline map for residents (dashboard/publicmap).
 *
 * Reads its data from the JSON element #tsudoi-data with JSON.parse and
 * puts every value on the page with textContent / DOM nodes — never innerHTML — so a place
 * name is only ever text. Needs no network: Leaflet is inlined, markers are CSS circles.
 */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("tsudoi-data").textContent);
  var state = { lang: "ja", query: "", cats: {}, days: {}, selected: null, view: "map" };
  var markers = {};
  var map = null;
  var WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
  var categories = {};
  data.categories.forEach(function (c) { categories[c.id] = c; });

  // --- text helpers ------------------------------------------------------------------------------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function fill(template, fields) {
    var out = template;
    Object.keys(fields || {}).forEach(function (k) { out = out.split("{" + k + "}").join(String(fields[k])); });
    return out;
  }
  /* "{地域|ちいき}の 地図" → text and <ruby> nodes appended to `node` (やさしい日本語 ふりがな). */
  function setRich(node, value) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
    var text = String(value === undefined || value === null ? "" : value);
    var re = /\{([^{}|]+)\|([^{}|]+)\}/g, last = 0, m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) { node.appendChild(document.createTextNode(text.slice(last, m.index))); }
      var ruby = el("ruby", null, m[1]);
      ruby.appendChild(el("rt", null, m[2]));
      node.appendChild(ruby);
      last = re.lastIndex;
    }
    if (last < text.length) { node.appendChild(document.createTextNode(text.slice(last))); }
    return node;
  }
  function plain(value) { return String(value || "").replace(/\{([^{}|]+)\|([^{}|]+)\}/g, "$1"); }
  function t(key, fields) { return fill(data.strings[state.lang][key], fields); }
  function catName(id) { var c = categories[id]; return c ? c.names[state.lang] : id; }
  function targetName(value) {
    var names = data.targets[state.lang] || {};
    var parts = String(value || "").split(/[・、,]/).map(function (p) { return p.trim(); }).filter(Boolean);
    return parts.map(function (p) { return names[p] || p; }).join(state.lang === "en" ? ", " : "・");
  }

  /* ひらがな/カタカナ, full/half width and case compare equal (same rule as dashboard.normalize.search_key). */
  function searchKey(value) {
    return String(value || "").normalize("NFKC")
      .replace(/[\u30a1-\u30f6]/g, function (ch) { return String.fromCharCode(ch.charCodeAt(0) - 0x60); })
      .toLowerCase().replace(/\s+/g, "");
  }
  // "|" between the fields, so a query never matches across two of them
  data.places.forEach(function (p) { p.key = [p.name, p.kana, p.reading, p.addr].map(searchKey).join("|"); });

  // --- filtering ---------------------------------------------------------------------------------
  function chosen(set) { return Object.keys(set).filter(function (k) { return set[k]; }); }
  function matches(p) {
    var cats = chosen(state.cats), days = chosen(state.days), q = searchKey(state.query);
    if (cats.length && cats.indexOf(p.cat) < 0) { return false; }
    if (days.length && !p.days.some(function (d) { return days.indexOf(d) >= 0; })) { return false; }
    if (q && p.key.indexOf(q) < 0) { return false; }
    return true;
  }
  function visible() { return data.places.filter(matches); }

  // --- controls ----------------------------------------------------------------------------------
  function buildControls() {
    var langs = document.querySelector(".langs");
    data.languages.forEach(function (l) {
      var b = el("button", "toggle lang", l.name);
      b.type = "button";
      b.lang = l.htmlLang;
      b.setAttribute("data-lang", l.id);
      b.setAttribute("aria-pressed", l.id === state.lang ? "true" : "false");
      b.addEventListener("click", function () { setLang(l.id); });
      langs.appendChild(b);
    });
    var cats = document.getElementById("cats");
    data.categories.forEach(function (c) {
      var label = el("label", "check");
      var box = el("input");
      box.type = "checkbox";
      box.value = c.id;
      box.addEventListener("change", function () { state.cats[c.id] = box.checked; refresh(); });
      var swatch = el("span", "swatch", c.symbol);
      swatch.style.background = c.color;
      swatch.style.color = c.text;
      swatch.setAttribute("aria-hidden", "true");
      label.appendChild(box);
      label.appendChild(swatch);
      label.appendChild(el("span", "cat-name"));
      label.setAttribute("data-cat", c.id);
      cats.appendChild(label);
    });
    var days = document.getElementById("days");
    WEEKDAYS.forEach(function (d) {
      var label = el("label", "check day");
      var box = el("input");
      box.type = "checkbox";
      box.value = d;
      box.addEventListener("change", function () { state.days[d] = box.checked; refresh(); });
      label.appendChild(box);
      label.appendChild(el("span", "day-name"));
      label.setAttribute("data-day", d);
      days.appendChild(label);
    });
    var q = document.getElementById("q");
    q.addEventListener("input", function () { state.query = q.value; refresh(); });
    document.getElementById("clear").addEventListener("click", function () {
      state.query = ""; state.cats = {}; state.days = {}; q.value = "";
      Array.prototype.forEach.call(document.querySelectorAll(".filters input[type=checkbox]"),
        function (b) { b.checked = false; });
      refresh();
    });
    var large = document.getElementById("large");
    large.addEventListener("click", function () {
      var on = !document.documentElement.classList.contains("large");
      document.documentElement.classList.toggle("large", on);
      large.setAttribute("aria-pressed", on ? "true" : "false");
      if (map) { map.invalidateSize(); }
    });
    document.getElementById("show-map").addEventListener("click", function () { setView("map"); });
    document.getElementById("show-list").addEventListener("click", function () { setView("list"); });
    document.getElementById("close").addEventListener("click", closeDetails);
    document.getElementById("details").addEventListener("keydown", function (e) {
      if (e.key === "Escape") { closeDetails(); }
    });
  }

  function setView(view) {
    state.view = view;
    document.body.setAttribute("data-view", view);
    document.getElementById("show-map").setAttribute("aria-pressed", view === "map" ? "true" : "false");
    document.getElementById("show-list").setAttribute("aria-pressed", view === "list" ? "true" : "false");
    if (view === "map" && map) { map.invalidateSize(); }
  }

  function setLang(lang) {
    state.lang = lang;
    var info = data.languages.filter(function (l) { return l.id === lang; })[0];
    document.documentElement.lang = info.htmlLang;
    Array.prototype.forEach.call(document.querySelectorAll(".langs .lang"), function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-lang") === lang ? "true" : "false");
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (node) {
      setRich(node, t(node.getAttribute("data-i18n")));
    });
    var title = t("map_title", { city: data.city.name });
    setRich(document.getElementById("title"), title);
    document.title = plain(title);
    document.getElementById("q").placeholder = plain(t("search"));
    Array.prototype.forEach.call(document.querySelectorAll("#cats label"), function (label) {
      setRich(label.querySelector(".cat-name"), catName(label.getAttribute("data-cat")));
    });
    Array.prototype.forEach.call(document.querySelectorAll("#days label"), function (label) {
      setRich(label.querySelector(".day-name"), data.weekdays[lang][label.getAttribute("data-day")]);
    });
    setRich(document.getElementById("as-of"), t("as_of", { date: data.madeOn }));
    setRich(document.getElementById("synthetic"),
      data.synthetic.length ? t("synthetic", { what: data.synthetic.join("、") }) : "");
    if (map) {
      Object.keys(markers).forEach(function (id) { markers[id].getElement() && labelMarker(markers[id], placeById(id)); });
    }
    refresh();
    if (state.selected) { showDetails(placeById(state.selected), false); }
  }

  // --- list and details --------------------------------------------------------------------------
  function placeById(id) { return data.places.filter(function (p) { return p.id === id; })[0]; }

  function badge(p) {
    var c = categories[p.cat] || {};
    var b = el("span", "badge", c.symbol);
    b.style.background = c.color;
    b.style.color = c.text;
    b.setAttribute("aria-hidden", "true");
    return b;
  }

  function renderList(places) {
    var list = document.getElementById("results");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    places.forEach(function (p) {
      var item = el("li");
      var button = el("button", "place");
      button.type = "button";
      button.setAttribute("data-id", p.id);
      button.appendChild(badge(p));
      var body = el("span", "place-body");
      body.appendChild(el("span", "place-name", p.name));
      setRich(body.appendChild(el("span", "place-cat")), catName(p.cat));
      setRich(body.appendChild(el("span", "place-when")), p.sched[state.lang]);
      if (p.paused) { setRich(body.appendChild(el("span", "paused")), t("paused")); }
      if (p.lat === null || p.lon === null) { setRich(body.appendChild(el("span", "hint")), t("not_on_map")); }
      button.appendChild(body);
      button.addEventListener("click", function () { select(p.id, true); });
      item.appendChild(button);
      list.appendChild(item);
    });
    setRich(document.getElementById("count"), places.length ? t("results", { n: places.length }) : t("no_results"));
  }

  function row(dl, labelKey, value, build) {
    if (!value) { return; }
    var dt = setRich(el("dt"), t(labelKey));
    var dd = el("dd");
    if (build) { build(dd); } else { setRich(dd, value); }
    dl.appendChild(dt);
    dl.appendChild(dd);
  }

  function showDetails(p, focus) {
    var panel = document.getElementById("details");
    var dl = document.getElementById("details-body");
    document.getElementById("details-title").textContent = p.name;
    while (dl.firstChild) { dl.removeChild(dl.firstChild); }
    if (p.kana) { row(dl, "kana", p.kana, function (dd) { dd.textContent = p.kana; dd.lang = "ja"; }); }
    row(dl, "category", catName(p.cat));
    row(dl, "schedule", p.sched[state.lang] + (p.paused ? "（" + t("paused") + "）" : ""));
    row(dl, "address", p.addr, function (dd) { dd.textContent = p.addr; });
    row(dl, "fee", p.fee, function (dd) { dd.textContent = p.fee; });
    row(dl, "target", targetName(p.target));
    row(dl, "contact", p.contact, function (dd) {
      if (p.tel) {
        var a = el("a", null, p.contact);
        a.href = "tel:" + p.tel.replace(/[^0-9-]/g, "");
        dd.appendChild(a);
      } else { dd.textContent = p.contact; }
    });
    row(dl, "homepage", p.url, function (dd) {
      if (/^https?:\/\//i.test(p.url)) {
        var a = el("a", null, p.url);
        a.href = p.url;
        a.rel = "noopener noreferrer";
        a.target = "_blank";
        dd.appendChild(a);
      }
    });
    panel.hidden = false;
    if (focus) { panel.focus(); }
  }

  function closeDetails() {
    var id = state.selected;
    state.selected = null;
    document.getElementById("details").hidden = true;
    Object.keys(markers).forEach(function (k) { markers[k].getElement() && markers[k].getElement().classList.remove("on"); });
    var button = id && document.querySelector('.place[data-id="' + CSS.escape(id) + '"]');
    if (button) { button.focus(); }
  }

  function select(id, focus) {
    state.selected = id;
    var p = placeById(id);
    Object.keys(markers).forEach(function (k) {
      var node = markers[k].getElement();
      if (node) { node.classList.toggle("on", k === id); }
    });
    showDetails(p, focus);
    if (map && markers[id]) {
      var sheet = document.getElementById("details");
      var covered = getComputedStyle(sheet).position === "fixed" ? sheet.offsetHeight : 0;
      // on a phone the details sheet covers the bottom of the map: centre the place above it
      map.panTo(map.unproject(map.project(markers[id].getLatLng()).add([0, covered / 2])));
    }
  }

  // --- the map -----------------------------------------------------------------------------------
  function labelMarker(marker, p) {
    var node = marker.getElement();
    if (node) { node.setAttribute("aria-label", p.name + " — " + plain(catName(p.cat))); }
  }

  function buildMap() {
    if (typeof L === "undefined") { setView("list"); return; }
    map = L.map("map", { zoomSnap: 0.5, keyboard: true, attributionControl: true });
    map.attributionControl.setPrefix(false);
    var bounds = null;
    if (data.outline) {
      var outline = L.geoJSON(data.outline, { interactive: false,
        style: { color: "#222", weight: 2.5, fill: true, fillColor: "#ffffff", fillOpacity: 0.55 } }).addTo(map);
      bounds = outline.getBounds();
    }
    var areas = L.geoJSON(data.areas, { interactive: false,
      style: { color: "#555", weight: 1.5, dashArray: "6 4", fill: false } }).addTo(map);
    if (!bounds && data.areas.features.length) { bounds = areas.getBounds(); }
    areas.eachLayer(function (layer) {
      var label = el("span", "area-label", layer.feature.properties.name);
      L.marker(layer.getBounds().getCenter(), { interactive: false, keyboard: false,
        icon: L.divIcon({ className: "area-label-icon", html: label, iconSize: null }) }).addTo(map);
    });
    if (data.tiles) {
      var tiles = L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: data.tiles.maxZoom });
      tiles.on("tileerror", function () { document.getElementById("tile-notice").hidden = false; });
      tiles.addTo(map);
      var toggle = el("label", "check basemap");
      var box = el("input");
      box.type = "checkbox";
      box.checked = true;
      box.addEventListener("change", function () {
        if (box.checked) { tiles.addTo(map); } else { map.removeLayer(tiles); document.getElementById("tile-notice").hidden = true; }
      });
      toggle.appendChild(box);
      toggle.appendChild(el("span", null)).setAttribute("data-i18n", "basemap");
      document.querySelector(".mapwrap").insertBefore(toggle, document.getElementById("map"));
    }
    data.places.forEach(function (p) {
      if (p.lat === null || p.lon === null) { return; }
      var c = categories[p.cat] || {};
      var dot = el("span", "dot", c.symbol);
      dot.style.background = c.color;
      dot.style.color = c.text;
      var marker = L.marker([p.lat, p.lon], { title: p.name, keyboard: true, riseOnHover: true,
        icon: L.divIcon({ className: "tm-marker" + (p.paused ? " is-paused" : ""), html: dot, iconSize: [28, 28] }) });
      marker.on("click", function () { select(p.id, false); });
      markers[p.id] = marker;
      marker.addTo(map);
      labelMarker(marker, p);
    });
    if (bounds && bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12] }); } else { map.setView([35.68, 139.76], 12); }
  }

  function refresh() {
    var shown = visible();
    renderList(shown);
    var ids = {};
    shown.forEach(function (p) { ids[p.id] = true; });
    if (map) {
      Object.keys(markers).forEach(function (id) {
        var on = !!ids[id];
        if (on && !map.hasLayer(markers[id])) { markers[id].addTo(map); labelMarker(markers[id], placeById(id)); }
        if (!on && map.hasLayer(markers[id])) { map.removeLayer(markers[id]); }
      });
    }
  }

  buildControls();
  if (window.matchMedia && window.matchMedia("(max-width: 56.1875em)").matches) {
    document.getElementById("more").open = false;  // as publicmap.css: on a phone the map comes first; filters open on tap
  }
  setView("map");  // on wide screens CSS shows the list and the map side by side whatever the view
  try { buildMap(); } catch (error) { setView("list"); }
  document.getElementById("attribution").textContent = data.attribution;
  setLang("ja");
  document.body.classList.add("ready");
}());
