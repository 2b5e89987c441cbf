// Small maps: one initiative's position (data-lat, data-lon) or a few
// named points (data-points, JSON). Scroll-wheel zoom is off so the page
// scrolls past the map; the page around it carries the same information.
(function () {
  'use strict';
  if (!window.L || !window.sharingMap) { return; }
  document.querySelectorAll('.map.small[data-tiles]').forEach(function (el) {
    var d = el.dataset;
    var map = window.sharingMap.create(el, { scrollWheelZoom: false });
    if (d.points) {
      var pts = JSON.parse(d.points);
      var group = L.featureGroup();
      pts.forEach(function (p) {
        var a = document.createElement('a');
        a.href = p.url;
        a.textContent = p.name;
        L.marker([p.lat, p.lon], { title: p.name, alt: p.name, keyboard: true }).bindPopup(a).addTo(group);
      });
      // The trip's route (data-line, [[lat,lon],...]); the page states its
      // length and duration in words, so the line is decoration.
      if (d.line) {
        var line = JSON.parse(d.line);
        if (line.length > 1) {
          L.polyline(line, { className: 'trip-route', color: '#1d4ed8', weight: 5, opacity: 0.8, interactive: false }).addTo(group);
        }
      }
      group.addTo(map);
      if (pts.length > 0) {
        map.fitBounds(group.getBounds().pad(0.2), { maxZoom: 16 });
      } else if (d.bbox) {
        var b = d.bbox.split(',').map(Number);
        map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
      }
      return;
    }
    var ll = [Number(d.lat), Number(d.lon)];
    map.setView(ll, 16);
    // The marker does nothing when pressed, so it stays out of the tab order.
    L.marker(ll, { title: d.name || '', alt: d.name || '', keyboard: false }).addTo(map);
  });
})();
