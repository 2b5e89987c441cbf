// Choosing a position on the contribution form: clicking the map (or
// dragging the marker) fills the latitude and longitude inputs; typing in
// them moves the marker. Without JavaScript the inputs alone work.
(function () {
  'use strict';
  var el = document.getElementById('pick-map');
  var lat = document.getElementById('f-lat');
  var lon = document.getElementById('f-lon');
  if (!el || !lat || !lon || !window.L || !window.sharingMap) { return; }
  var d = el.dataset;
  var status = document.getElementById('pick-status');
  el.hidden = false;
  var b = d.bbox.split(',').map(Number);
  var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
  var map = window.sharingMap.create(el, { maxBounds: bounds.pad(0.5), scrollWheelZoom: false });
  var marker = null;

  function current() {
    var la = parseFloat(lat.value.replace(',', '.'));
    var lo = parseFloat(lon.value.replace(',', '.'));
    return isFinite(la) && isFinite(lo) && !(la === 0 && lo === 0) ? L.latLng(la, lo) : null;
  }

  function place(ll) {
    if (!marker) {
      marker = L.marker(ll, { draggable: true, keyboard: false, title: d.labelMarker, alt: d.labelMarker }).addTo(map);
      marker.on('dragend', function () { set(marker.getLatLng()); });
    } else {
      marker.setLatLng(ll);
    }
  }

  function set(ll) {
    lat.value = ll.lat.toFixed(6);
    lon.value = ll.lng.toFixed(6);
    place(ll);
    if (status) { status.textContent = d.labelPicked.replace('{lat}', lat.value).replace('{lon}', lon.value); }
  }

  var start = current();
  if (start) {
    map.setView(start, 16);
    place(start);
  } else {
    map.fitBounds(bounds);
  }
  map.on('click', function (ev) { set(ev.latlng); });
  [lat, lon].forEach(function (input) {
    input.addEventListener('change', function () {
      var ll = current();
      if (ll) { place(ll); map.panTo(ll); }
    });
  });
})();
