// Choosing the two ends of a trip on the map: clicks set the origin, then
// the destination, then the origin again; markers can be dragged. Each
// fills the latitude and longitude inputs of its end, which work alone
// without JavaScript.
(function () {
  'use strict';
  var el = document.getElementById('trip-pick-map');
  if (!el || !window.L || !window.sharingMap) { return; }
  var d = el.dataset;
  var ends = ['from', 'to'].map(function (p) {
    return { lat: document.getElementById('f-' + p + '_lat'), lon: document.getElementById('f-' + p + '_lon'),
      label: p === 'from' ? d.labelFrom : d.labelTo, marker: null };
  });
  if (!ends[0].lat || !ends[1].lat) { return; }
  var status = document.getElementById('trip-pick-status');
  el.hidden = false;
  var b = d.bbox.split(',').map(Number);
  var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
  var map = window.sharingMap.create(el, { maxBounds: bounds.pad(0.5), scrollWheelZoom: false });
  map.fitBounds(bounds);
  var next = 0;

  function put(end, ll) {
    if (!end.marker) {
      end.marker = L.marker(ll, { draggable: true, keyboard: false, title: end.label, alt: end.label }).addTo(map);
      end.marker.on('dragend', function () { fill(end, end.marker.getLatLng()); });
    } else {
      end.marker.setLatLng(ll);
    }
  }

  function fill(end, ll) {
    end.lat.value = ll.lat.toFixed(6);
    end.lon.value = ll.lng.toFixed(6);
    put(end, ll);
    if (status) { status.textContent = end.label + ' : ' + end.lat.value + ', ' + end.lon.value; }
    suggest(end);
  }

  // On the publish form, the carpool areas near a clicked end are listed
  // at once, as the form's second step would list them.
  var form = el.closest('form');
  var fd = form ? form.dataset : {};
  function suggest(end) {
    if (!fd.areasUrl || !window.fetch) { return; }
    var prefix = end === ends[0] ? 'from' : 'to';
    fetch(fd.areasUrl + '?limit=4&near=' + end.lat.value + ',' + end.lon.value, { headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) { showAreas(end, prefix, data.items || []); })
      .catch(function () {});
  }
  function showAreas(end, prefix, items) {
    var box = end.lat.closest('fieldset');
    var old = box.querySelector('fieldset.carpool-areas');
    if (old) { old.remove(); }
    if (!items.length) { return; }
    var fs = document.createElement('fieldset');
    fs.className = 'carpool-areas';
    var legend = document.createElement('legend');
    legend.textContent = fd.labelAreas;
    fs.appendChild(legend);
    function choice(value, text, checked) {
      var row = document.createElement('div');
      row.className = 'row';
      var label = document.createElement('label');
      var input = document.createElement('input');
      input.type = 'radio';
      input.name = prefix + '_area';
      input.value = value;
      input.checked = checked;
      label.appendChild(input);
      label.appendChild(document.createTextNode(' ' + text));
      row.appendChild(label);
      fs.appendChild(row);
      return input;
    }
    choice('', fd.labelKeep, true);
    items.forEach(function (a) {
      var km = (a.distance_m / 1000).toFixed(1);
      var input = choice(a.lat.toFixed(6) + ',' + a.lon.toFixed(6) + ' ' + a.name,
        a.name + (a.address ? ', ' + a.address : '') + ' (' + fd.labelKm.replace('{km}', km) + ')', false);
      input.addEventListener('change', function () {
        if (input.checked && end.marker) { end.marker.setLatLng(L.latLng(a.lat, a.lon)); }
      });
    });
    box.appendChild(fs);
  }

  ends.forEach(function (end) {
    var la = parseFloat(end.lat.value), lo = parseFloat(end.lon.value);
    if (isFinite(la) && isFinite(lo)) { put(end, L.latLng(la, lo)); }
  });
  map.on('click', function (ev) {
    fill(ends[next], ev.latlng);
    next = 1 - next;
  });
})();
