// zhost ticket list: the agent picker rewrites the ticket links' ?agent= parameter.
(function () {
  'use strict';
  var picker = document.getElementById('agent-picker');
  if (!picker) return;
  var saved = null;
  try { saved = window.localStorage.getItem('zhost.agent'); } catch (e) { /* storage blocked */ }
  if (saved && Array.prototype.some.call(picker.options, function (o) { return o.value === saved; })) {
    picker.value = saved;
  }
  function apply() {
    var links = document.querySelectorAll('a.ticket-link');
    Array.prototype.forEach.call(links, function (a) {
      a.href = '/tickets/' + encodeURIComponent(a.dataset.ticket) + '?agent=' + encodeURIComponent(picker.value);
    });
    try { window.localStorage.setItem('zhost.agent', picker.value); } catch (e) { /* ignore */ }
  }
  picker.addEventListener('change', apply);
  apply();
})();
