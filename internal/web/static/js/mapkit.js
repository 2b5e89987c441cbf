// Shared by the map scripts (map.js, minimap.js, pick.js): a Leaflet map
// whose controls speak the page's language. Leaflet's own texts are
// English ("Zoom in", "Marker", "Close popup"), so every label comes from
// data-label-* attributes the templates render in the page language.
(function () {
  'use strict';
  if (!window.L) { return; }
  var lang = document.documentElement.lang || 'fr';
  var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;

  function escapeHTML(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function fmt(label, n) { return label.replace('{n}', n.toLocaleString(lang)); }

  window.sharingMap = {
    fmt: fmt,

    // plural picks the "one" or "other" label for n, as the language
    // counts (in French 0 and 1 are singular).
    plural: function (one, other, n) {
      var form = rules ? rules.select(n) : (n === 1 ? 'one' : 'other');
      return fmt(form === 'one' ? one : other, n);
    },

    // iconText is a cluster icon's inside: the number seen, a sentence heard.
    iconText: function (n, label) {
      return '<span aria-hidden="true">' + n + '</span><span class="visually-hidden">' + escapeHTML(label) + '</span>';
    },

    // create makes a map on el with its tiles and translated controls.
    create: function (el, options) {
      var d = el.dataset;
      var opts = { zoomControl: false };
      Object.keys(options || {}).forEach(function (k) { opts[k] = options[k]; });
      var map = L.map(el, opts);
      L.control.zoom({ zoomInTitle: d.labelZoomIn || 'Zoom in', zoomOutTitle: d.labelZoomOut || 'Zoom out' }).addTo(map);
      if (map.attributionControl) {
        // Leaflet's prefix carries an English title; the link alone is enough.
        map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
      }
      L.tileLayer(d.tiles, { attribution: d.attribution, maxZoom: 19 }).addTo(map);
      if (d.labelClose) {
        map.on('popupopen', function (ev) {
          var btn = ev.popup.getElement() && ev.popup.getElement().querySelector('.leaflet-popup-close-button');
          if (btn) { btn.setAttribute('aria-label', d.labelClose); btn.title = d.labelClose; }
        });
      }
      return map;
    },

    // collapseOnPhones folds a <details> on narrow screens, so the map
    // gets the screen (it is rendered open: without JavaScript nothing
    // hides), and keeps it open on wide ones, where its summary is hidden.
    collapseOnPhones: function (box) {
      if (!box || !window.matchMedia) { return; }
      var narrow = window.matchMedia('(max-width: 47.99rem)');
      if (narrow.matches) { box.open = false; }
      var wide = function (e) { if (!e.matches) { box.open = true; } };
      if (narrow.addEventListener) { narrow.addEventListener('change', wide); }
    }
  };
})();
