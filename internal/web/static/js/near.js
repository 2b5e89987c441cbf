// "Use my position" on the list: fills the latitude and longitude fields
// from the browser's geolocation and sorts by distance. The fields can be
// typed by hand without JavaScript.
(function () {
  'use strict';
  var btn = document.getElementById('use-position');
  var lat = document.getElementById('f-lat');
  var lon = document.getElementById('f-lon');
  if (!btn || !lat || !lon || !navigator.geolocation) { return; }
  var status = document.getElementById('position-status');
  var sort = document.getElementById('f-sort');
  btn.hidden = false;
  function say(t) { if (status) { status.textContent = t; } }
  btn.addEventListener('click', function () {
    say(btn.dataset.busy);
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(5);
      lon.value = pos.coords.longitude.toFixed(5);
      if (sort) { sort.value = 'distance'; }
      say('');
      lat.form.requestSubmit ? lat.form.requestSubmit() : lat.form.submit();
    }, function () { say(btn.dataset.denied); }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 });
  });
})();
