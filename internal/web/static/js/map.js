// The territory map: loads only the visible area from the map endpoint,
// draws the server's clusters at low zoom and the points (clustered in the
// browser) at high zoom. Everything it needs comes from data-* attributes:
// the CSP allows no inline script. Plain ES2017, no build step. Shared
// helpers (translated controls, plural labels) are in mapkit.js.
(function () {
  'use strict';
  var el = document.getElementById('map');
  if (!el || !window.L || !window.sharingMap) { return; }
  var kit = window.sharingMap;
  var d = el.dataset;
  var status = document.getElementById('map-status');
  var form = document.getElementById('map-filters');
  var listLink = document.getElementById('map-list-link');
  var nearBtn = document.getElementById('near-me');

  var b = d.bbox.split(',').map(Number); // minLon,minLat,maxLon,maxLat
  var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);

  var fallback = el.querySelector('.map-fallback');
  if (fallback) { fallback.remove(); }
  var map = kit.create(el, { maxBounds: bounds.pad(0.5), maxBoundsViscosity: 0.8 });
  map.fitBounds(bounds);

  var clusters = L.layerGroup().addTo(map);
  var points = L.markerClusterGroup ? L.markerClusterGroup({
    showCoverageOnHover: false, maxClusterRadius: 50, iconCreateFunction: browserClusterIcon
  }) : L.layerGroup();
  points.addTo(map);

  // What is drawn, by feature key, so a new answer only adds and removes
  // the difference: unchanged markers (and an open popup) stay put.
  var drawn = {};      // key -> {marker, layer, count, ll}
  var lastTag = null;  // ETag (or body) of the answer on the map
  var lastFC = null;
  var truncated = false;
  var filters = readFilters();
  var timer = null;
  var inflight = null;
  var seq = 0;

  function readFilters() {
    var p = new URLSearchParams(window.location.search);
    return { q: p.get('q') || '', category: p.get('category') || '' };
  }

  function say(text) { if (status) { status.textContent = text; } }

  function query() {
    var p = new URLSearchParams();
    if (filters.q) { p.set('q', filters.q); }
    if (filters.category) { p.set('category', filters.category); }
    return p;
  }

  function load() {
    var v = map.getBounds().intersects(bounds) ? map.getBounds() : bounds;
    var p = query();
    p.set('bbox', [v.getWest(), v.getSouth(), v.getEast(), v.getNorth()].map(function (x) { return x.toFixed(5); }).join(','));
    p.set('zoom', String(map.getZoom()));
    if (inflight) { inflight.abort(); }
    var ctl = new AbortController();
    var mine = ++seq;
    inflight = ctl;
    el.setAttribute('aria-busy', 'true');
    var tag = null;
    fetch(d.api + '?' + p.toString(), { signal: ctl.signal, headers: { Accept: 'application/geo+json' } })
      .then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        tag = r.headers.get('ETag');
        return r.text();
      })
      .then(function (body) {
        if (mine !== seq) { return; } // a newer request owns the map
        var key = (tag || body) + '|' + p.get('q') + '|' + p.get('category');
        if (key !== lastTag) {
          lastTag = key;
          draw(JSON.parse(body));
        }
        report();
      })
      .catch(function (err) { if (err.name !== 'AbortError' && mine === seq) { say(d.labelError); } })
      .finally(function () { if (inflight === ctl) { inflight = null; el.removeAttribute('aria-busy'); } });
  }

  function popupFor(name, url) {
    var box = document.createElement('div');
    var strong = document.createElement('strong');
    strong.textContent = name;
    box.appendChild(strong);
    box.appendChild(document.createElement('br'));
    var a = document.createElement('a');
    a.href = url;
    a.textContent = d.labelOpen;
    box.appendChild(a);
    return box;
  }

  function pageOf(id) { return '/t/' + d.slug + '/initiatives/' + id; }

  function browserClusterIcon(group) {
    var n = group.getChildCount();
    var size = n < 10 ? 'small' : n < 100 ? 'medium' : 'large';
    return L.divIcon({
      html: '<div>' + kit.iconText(n, kit.fmt(d.labelCluster, n)) + '</div>',
      className: 'marker-cluster marker-cluster-' + size, iconSize: L.point(40, 40)
    });
  }

  function serverCluster(ll, n) {
    var size = n < 10 ? 'small' : n < 100 ? 'medium' : 'large';
    var label = kit.fmt(d.labelCluster, n);
    var m = L.marker(ll, {
      icon: L.divIcon({ html: kit.iconText(n, label), className: 'server-cluster server-cluster-' + size, iconSize: [40, 40] }),
      title: label, keyboard: true
    });
    m.on('click', function () { map.setView(ll, Math.min(map.getZoom() + 2, 19)); });
    return m;
  }

  // One feature's key and marker. A single point in clustered mode has its
  // id and, when the server sends it, its name (else it is named by its
  // number); its popup links its page.
  function markerOf(f, clustered) {
    var c = f.geometry.coordinates;
    var pr = f.properties || {};
    var ll = L.latLng(c[1], c[0]);
    if (!clustered) {
      return { key: 'p' + pr.id, count: 1, ll: ll, layer: points,
        marker: L.marker(ll, { title: pr.name, alt: pr.name, keyboard: true }).bindPopup(popupFor(pr.name, pr.url)) };
    }
    var n = pr.count;
    if (n === 1 && pr.id) {
      var name = pr.name || d.labelSingle.replace('{id}', pr.id);
      return { key: 's' + pr.id, count: 1, ll: ll, layer: clusters,
        marker: L.marker(ll, { title: name, alt: name, keyboard: true }).bindPopup(popupFor(name, pageOf(pr.id))) };
    }
    return { key: 'c' + c[0] + ',' + c[1] + ',' + n, count: n, ll: ll, layer: clusters, marker: serverCluster(ll, n) };
  }

  function remove(item) {
    if (item.marker.isPopupOpen && item.marker.isPopupOpen()) {
      // Never pull a marker from under its open popup: it goes when the
      // popup closes, unless a later answer brings it back.
      item.stale = true;
      item.marker.once('popupclose', function () {
        if (!item.stale) { return; }
        item.layer.removeLayer(item.marker);
        if (drawn[item.key] === item) { delete drawn[item.key]; }
      });
      return false;
    }
    item.layer.removeLayer(item.marker);
    return true;
  }

  function draw(fc) {
    var next = {};
    var added = [];
    lastFC = fc;
    truncated = !!fc.truncated;
    (fc.features || []).forEach(function (f) {
      var item = markerOf(f, !!fc.clustered);
      if (next[item.key]) { return; }
      var old = drawn[item.key];
      if (old) {
        old.stale = false;
        next[item.key] = old;
        return;
      }
      next[item.key] = item;
      added.push(item);
    });
    Object.keys(drawn).forEach(function (k) {
      if (!next[k] && !remove(drawn[k])) { next[k] = drawn[k]; }
    });
    drawn = next;
    var bulk = added.filter(function (it) { return it.layer === points; }).map(function (it) { return it.marker; });
    if (bulk.length && points.addLayers) { points.addLayers(bulk); } else { bulk.forEach(function (m) { points.addLayer(m); }); }
    added.forEach(function (it) { if (it.layer !== points) { it.layer.addLayer(it.marker); } });
  }

  // The count says how many initiatives the visible map shows: the
  // answer covers the server's snapped tiles, which reach past the edges.
  function report() {
    if (!lastFC) { return; }
    var view = map.getBounds();
    var total = 0;
    Object.keys(drawn).forEach(function (k) {
      var it = drawn[k];
      if (!it.stale && view.contains(it.ll)) { total += it.count; }
    });
    var msg = total === 0 ? d.labelCountZero : kit.plural(d.labelCountOne, d.labelCountOther, total);
    if (truncated) { msg += ' ' + d.labelTruncated; }
    say(msg);
  }

  function schedule() {
    clearTimeout(timer);
    report();
    timer = setTimeout(load, 250);
  }

  map.on('moveend', schedule);
  load();

  if (form) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      filters = { q: form.elements.q.value.trim(), category: form.elements.category.value };
      var p = query();
      var qs = p.toString();
      history.replaceState(null, '', window.location.pathname + (qs ? '?' + qs : ''));
      if (listLink) { listLink.href = form.getAttribute('action') + (qs ? '?' + qs : ''); }
      say(d.labelLoading);
      load();
    });
    kit.collapseOnPhones(document.getElementById('map-filters-box'));
  }

  if (nearBtn && navigator.geolocation) {
    nearBtn.hidden = false;
    nearBtn.addEventListener('click', function () {
      say(d.labelLoading);
      navigator.geolocation.getCurrentPosition(function (pos) {
        var p = query();
        p.set('lat', pos.coords.latitude.toFixed(5));
        p.set('lon', pos.coords.longitude.toFixed(5));
        p.set('sort', 'distance');
        window.location.href = nearBtn.dataset.list + '?' + p.toString();
      }, function () { say(nearBtn.dataset.denied); }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 });
    });
  }
})();
