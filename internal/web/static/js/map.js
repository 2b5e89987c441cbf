// The territory map: loads only the visible area from the map endpoint,
// draws the server's clusters at low zoom and the points (clustered in the
// browser) at high zoom. Everything it needs comes from data-* attributes:
// the CSP allows no inline script. Plain ES2017, no build step.
(function () {
  'use strict';
  var el = document.getElementById('map');
  if (!el || !window.L) { return; }
  var d = el.dataset;
  var status = document.getElementById('map-status');
  var form = document.getElementById('map-filters');
  var listLink = document.getElementById('map-list-link');
  var nearBtn = document.getElementById('near-me');

  var b = d.bbox.split(',').map(Number); // minLon,minLat,maxLon,maxLat
  var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);

  var fallback = el.querySelector('.map-fallback');
  if (fallback) { fallback.remove(); }
  var map = L.map(el, { maxBounds: bounds.pad(0.5), maxBoundsViscosity: 0.8 });
  L.tileLayer(d.tiles, { attribution: d.attribution, maxZoom: 19 }).addTo(map);
  map.fitBounds(bounds);

  var clusters = L.layerGroup().addTo(map);
  var points = L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 }) : L.layerGroup();
  points.addTo(map);

  var filters = readFilters();
  var timer = null;
  var inflight = null;

  function readFilters() {
    var p = new URLSearchParams(window.location.search);
    return { q: p.get('q') || '', category: p.get('category') || '' };
  }

  function say(text) { if (status) { status.textContent = text; } }
  function fmt(label, n) { return label.replace('{n}', n.toLocaleString(document.documentElement.lang || 'fr')); }

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
    inflight = ctl;
    el.setAttribute('aria-busy', 'true');
    fetch(d.api + '?' + p.toString(), { signal: ctl.signal, headers: { Accept: 'application/geo+json' } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (fc) { draw(fc); })
      .catch(function (err) { if (err.name !== 'AbortError') { say(d.labelError); } })
      .finally(function () { if (inflight === ctl) { inflight = null; el.removeAttribute('aria-busy'); } });
  }

  function popupFor(name, url) {
    var box = document.createElement('div');
    if (name) {
      var strong = document.createElement('strong');
      strong.textContent = name;
      box.appendChild(strong);
      box.appendChild(document.createElement('br'));
    }
    var a = document.createElement('a');
    a.href = url;
    a.textContent = d.labelOpen;
    box.appendChild(a);
    return box;
  }

  function pageOf(id) { return '/t/' + d.slug + '/initiatives/' + id; }

  function draw(fc) {
    clusters.clearLayers();
    points.clearLayers();
    var total = 0;
    var feats = fc.features || [];
    if (fc.clustered) {
      feats.forEach(function (f) {
        var c = f.geometry.coordinates;
        var n = f.properties.count;
        var ll = L.latLng(c[1], c[0]);
        total += n;
        if (n === 1 && f.properties.id) {
          L.marker(ll, { title: d.labelOpen }).bindPopup(popupFor('', pageOf(f.properties.id))).addTo(clusters);
          return;
        }
        var size = n < 10 ? 'small' : n < 100 ? 'medium' : 'large';
        var label = fmt(d.labelCluster, n);
        var m = L.marker(ll, {
          icon: L.divIcon({ html: '<span>' + n + '</span>', className: 'server-cluster server-cluster-' + size, iconSize: [40, 40] }),
          title: label, keyboard: true
        });
        m.on('click', function () { map.setView(ll, Math.min(map.getZoom() + 2, 19)); });
        m.addTo(clusters);
        var icon = m.getElement();
        if (icon) { icon.setAttribute('aria-label', label); icon.setAttribute('role', 'button'); }
      });
    } else {
      var markers = feats.map(function (f) {
        var c = f.geometry.coordinates;
        var pr = f.properties;
        return L.marker([c[1], c[0]], { title: pr.name, alt: pr.name }).bindPopup(popupFor(pr.name, pr.url));
      });
      total = markers.length;
      if (points.addLayers) { points.addLayers(markers); } else { markers.forEach(function (m) { points.addLayer(m); }); }
    }
    var msg = fmt(d.labelCount, total);
    if (fc.truncated) { msg += ' ' + d.labelTruncated; }
    say(msg);
  }

  function schedule() {
    clearTimeout(timer);
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
