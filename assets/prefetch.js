// cnimap: starts the first view's documents while the wasm downloads and compiles (issue 15).
//
// The app cannot ask for anything before its wasm runs, and the wasm is the largest file of the
// page: without this, the catalogue and the values of the first view wait for it. Here, as soon
// as the page is parsed, preload hints are added for the catalogue and (when the URL shows the
// default view) the first view's values; the app's own fetch of the same URLs then takes the
// preloaded responses. site.json (preloaded by index.html) says whether this is a static site
// (cnimap export-site: files ending .json under the page's folder) or a cnimap server (/api/...).
// DEFAULT_VALUES must stay the values document of the app's default view (checked by
// crates/cnimap-web/src/first_view.rs).
(function () {
  'use strict';
  var DEFAULT_INDICATOR = 'imd2025';
  var DEFAULT_VALUES = 'values/lsoa21/imd2025';
  var q = new URLSearchParams(location.search);
  var base = document.baseURI.replace(/[?#].*$/, '').replace(/[^/]*$/, '');
  var defaultView = (!q.has('i') || q.get('i') === DEFAULT_INDICATOR)
    && (!q.has('v') || q.get('v') === 'map')
    && !q.has('profile') && !/\/area\//.test(location.pathname);
  function hint(href) {
    var link = document.createElement('link');
    link.rel = 'preload';
    link.as = 'fetch';
    link.crossOrigin = 'anonymous';
    link.href = href;
    document.head.appendChild(link);
  }
  // Whether this is a static site, for boot.js too (it makes the first map with the same URLs).
  window.__cnimapSite = fetch(base + 'site.json')
    .then(function (r) { return r.ok ? r.json() : null; })
    .catch(function () { return null; })
    .then(function (site) {
      var isStatic = !!site && site.kind === 'cnimap-static-site';
      var doc = function (path) {
        return isStatic ? base + 'api/' + path + '.json' : location.origin + '/api/' + path;
      };
      hint(doc('indicators'));
      if (defaultView) hint(doc(DEFAULT_VALUES));
      return isStatic;
    });
}());
