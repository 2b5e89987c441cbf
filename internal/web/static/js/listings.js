// The listings search map: clicking it sets the search point (the lat and
// lon inputs of the form, as pick.js does), typing in them moves it, and
// the results are markers at their public positions, read from the cards'
// data-lat and data-lon. Without JavaScript the form and the list work alone.
(function () {
  'use strict';
  var el = document.getElementById('listings-map');
  var lat = document.getElementById('f-lat');
  var lon = document.getElementById('f-lon');
  var radius = document.getElementById('f-radius_km');
  if (!el || !lat || !lon || !window.L || !window.sharingMap) { return; }
  var d = el.dataset;
  var status = document.getElementById('listings-map-status');
  var hint = document.getElementById('listings-map-hint');
  el.hidden = false;
  if (hint) { hint.hidden = false; }
  var b = d.bbox.split(',').map(Number);
  var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
  var map = window.sharingMap.create(el, { maxBounds: bounds.pad(0.5), scrollWheelZoom: false });
  var point = null;
  var circle = null;

  function num(input) { return input ? parseFloat(input.value.replace(',', '.')) : NaN; }

  function current() {
    var la = num(lat);
    var lo = num(lon);
    return isFinite(la) && isFinite(lo) && !(la === 0 && lo === 0) ? L.latLng(la, lo) : null;
  }

  // place shows the search point, with the radius around it when given.
  function place(ll) {
    if (!point) {
      point = L.circleMarker(ll, { radius: 8, weight: 3, color: '#b3261e', fillOpacity: 0.6, interactive: false }).addTo(map);
    } else {
      point.setLatLng(ll);
    }
    var km = num(radius);
    if (circle) { map.removeLayer(circle); circle = null; }
    if (isFinite(km) && km > 0) {
      circle = L.circle(ll, { radius: km * 1000, weight: 1, color: '#b3261e', fillOpacity: 0.05, interactive: false }).addTo(map);
    }
  }

  // A point picked on the map replaces an address typed or found before.
  function forgetAddress() {
    var address = document.getElementById('f-address');
    var place = document.getElementById('f-place');
    if (address) { address.value = ''; }
    if (place) { place.parentNode.removeChild(place); }
  }

  function set(ll) {
    forgetAddress();
    lat.value = ll.lat.toFixed(5);
    lon.value = ll.lng.toFixed(5);
    place(ll);
    if (status) { status.textContent = d.labelPicked.replace('{lat}', lat.value).replace('{lon}', lon.value); }
  }

  // The results: one marker per card, opening a popup with its link.
  var group = L.featureGroup();
  document.querySelectorAll('.cards.listings .card[data-lat]').forEach(function (card) {
    var la = Number(card.dataset.lat);
    var lo = Number(card.dataset.lon);
    var link = card.querySelector('h3 a');
    if (!isFinite(la) || !isFinite(lo) || !link) { return; }
    var a = document.createElement('a');
    a.href = link.href;
    a.textContent = link.textContent;
    L.marker([la, lo], { title: link.textContent, alt: link.textContent, keyboard: true }).bindPopup(a).addTo(group);
  });
  group.addTo(map);

  var start = current();
  if (start) { place(start); }
  var view = group.getLayers().length ? group.getBounds() : null;
  if (start) { view = view ? view.extend(start) : null; }
  // The circle has no bounds before the map has a view: take them from the point.
  var km = num(radius);
  if (start && isFinite(km) && km > 0) {
    var around = start.toBounds(km * 2000);
    view = view ? view.extend(around) : around;
  }
  if (view) {
    map.fitBounds(view.pad(0.2), { maxZoom: 15 });
  } else if (start) {
    map.setView(start, 14);
  } else {
    map.fitBounds(bounds);
  }
  map.on('click', function (ev) { set(ev.latlng); });
  [lat, lon, radius].forEach(function (input) {
    if (!input) { return; }
    input.addEventListener('change', function () {
      var ll = current();
      if (ll) { place(ll); map.panTo(ll); }
    });
  });
})();
