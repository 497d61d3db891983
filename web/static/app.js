// xiezuo: the little behaviour the pages have, kept out of the HTML so
// that they run under a strict Content-Security-Policy (script-src 'self':
// no inline scripts or onclick= attributes). Every page works without it.
//
//   <button data-print>            prints the page
//   <a data-back>                  goes back one page (without script: its href)
//   <select data-autosubmit>       submits its form when changed
//   <select data-county-of="f">    a township choice: only the optgroup of
//                                  the county chosen in field f is offered
//   <form data-confirm="…">        asks before submitting
//   nav a.on, .tabs a.on           scrolled into view in a narrow menu
(function () {
  'use strict';
  document.addEventListener('click', function (e) {
    if (!(e.target instanceof Element)) return;
    if (e.target.closest('[data-print]')) {
      e.preventDefault();
      window.print();
    } else if (e.target.closest('a[data-back]') && window.history.length > 1) {
      e.preventDefault();
      window.history.back();
    }
  });
  document.addEventListener('change', function (e) {
    var el = e.target;
    if (el instanceof Element && el.hasAttribute('data-autosubmit') && el.form) el.form.submit();
    if (el instanceof HTMLSelectElement && el.form) {
      el.form.querySelectorAll('select[data-county-of="' + el.name + '"]').forEach(function (t) { townships(t, el.value); });
    }
  });
  // A township choice follows its county's: the other counties' townships
  // are hidden, and a township of another county is cleared.
  function townships(t, county) {
    t.querySelectorAll('optgroup[data-county]').forEach(function (g) {
      var other = county !== '' && g.getAttribute('data-county') !== county;
      g.hidden = other;
      g.disabled = other;
      if (other && t.selectedOptions.length && t.selectedOptions[0].parentElement === g) t.value = '';
    });
  }
  function initTownships() {
    document.querySelectorAll('select[data-county-of]').forEach(function (t) {
      var c = t.form && t.form.elements.namedItem(t.getAttribute('data-county-of'));
      if (c) townships(t, c.value);
    });
  }
  document.addEventListener('submit', function (e) {
    var msg = e.target instanceof Element && e.target.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  // On a phone the menus scroll sideways: show the current item.
  function showCurrent() {
    document.querySelectorAll('nav.nav a.on, .tabs a.on').forEach(function (a) {
      var bar = a.parentElement;
      if (bar.scrollWidth > bar.clientWidth) {
        var left = a.getBoundingClientRect().left - bar.getBoundingClientRect().left + bar.scrollLeft;
        bar.scrollLeft = left - (bar.clientWidth - a.offsetWidth) / 2;
      }
    });
  }
  function ready() {
    showCurrent();
    initTownships();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready);
  else ready();
})();
