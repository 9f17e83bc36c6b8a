// cnimap: the first choropleth before the wasm (issue 15).
//
// The app's wasm is the largest file of the page and the map used to be made only once it had
// downloaded, compiled and started. When the URL shows the default view (the map of the default
// indicator on its first layer; see `eligible`), this script makes the MapLibre map as soon as the
// page is parsed, with the first layer's tiles and the colours of the default indicator, and sets
// each area's class from the values document prefetch.js preloads, while the wasm loads. The app
// then adopts this map (crates/cnimap-web/src/boot.rs, `window.__cnimapBoot.adopt`): it moves it
// into its own map element, gives it its whole style (MapLibre's style diff keeps the source, its
// tiles and its feature states) and its camera. Any other URL: this script does nothing and the
// app makes its map itself.
//
// Not loaded by index.html yet: measured in BENCHMARKS.md ("The first choropleth drawn before the
// wasm"), it was no faster on the 2-core test machine. To turn it on: copy it with Trunk
// (`<link data-trunk rel="copy-file" href="boot.js">`) and load it at the end of <body>
// (`<script src="boot.js"></script>`), where document.body exists.
//
// BOOT is checked against the app's own facts (the layer, the key, the style layers on its tiles
// exactly as the app's first-view style has them, the fill coloured by decile with the
// indicator's colours from cnimap-core, England's bounds, the zooms) by a test in boot.rs: edit
// it only to the value that test prints. The app's style diff then adds only the other sources
// and layers; the first layer's tiles are not parsed again.
(function () {
  'use strict';
  var BOOT = {"england":[[-6.0,49.9],[1.8,55.8]],"fillId":"lsoa21-fill","indicator":"imd2025","key":"d","layer":"lsoa21","layers":[{"id":"background","paint":{"background-color":"#f3f1ec"},"type":"background"},{"id":"lsoa21-fill","layout":{"visibility":"visible"},"paint":{"fill-color":["match",["feature-state","d"],1,"#150e38",2,"#390f6e",3,"#601880",4,"#862781",5,"#ad347c",6,"#d3436e",7,"#f1605d",8,"#fc8c63",9,"#feb97f",10,"#fde5a7","#cccccc"],"fill-opacity":1.0},"source":"lsoa21","source-layer":"lsoa21","type":"fill"},{"id":"lsoa21-line","layout":{"visibility":"visible"},"minzoom":7.0,"paint":{"line-color":"#ffffff","line-opacity":["interpolate",["linear"],["zoom"],7,0.0,10,0.6],"line-width":["interpolate",["linear"],["zoom"],8,0.2,14,1.2]},"source":"lsoa21","source-layer":"lsoa21","type":"line"},{"id":"lsoa21-hover","layout":{"visibility":"visible"},"paint":{"line-color":"#111111","line-opacity":["case",["boolean",["feature-state","hover"],false],1,0],"line-width":["case",["boolean",["feature-state","hover"],false],2,0]},"source":"lsoa21","source-layer":"lsoa21","type":"line"},{"filter":["==",["get","code"],""],"id":"lsoa21-selected","layout":{"line-join":"round","visibility":"visible"},"paint":{"line-color":"#00a3ff","line-width":3.5},"source":"lsoa21","source-layer":"lsoa21","type":"line"}],"maxZoom":16.0,"minZoom":4.0};
  // Query words that leave the first view as the default map (anything else: the app alone).
  var ALLOWED = ['i', 'v', 'c', 'a', 'l', 'wards', 't', 'embed'];
  var q = new URLSearchParams(location.search);
  var eligible = typeof window.maplibregl !== 'undefined'
    && !/\/area\//.test(location.pathname)
    && (!q.has('i') || q.get('i') === BOOT.indicator)
    && (!q.has('v') || q.get('v') === 'map');
  q.forEach(function (_, key) { if (ALLOWED.indexOf(key) < 0) eligible = false; });
  if (!eligible) return;

  var base = document.baseURI.replace(/[?#].*$/, '').replace(/[^/]*$/, '');
  var camera = null;
  if (q.has('c')) {
    var p = q.get('c').split(',').map(Number);
    if (p.length === 3 && p.every(isFinite)) camera = { center: [p[0], p[1]], zoom: p[2] };
  }

  var div = document.createElement('div');
  div.className = 'map-boot';
  div.style.position = 'absolute';
  div.style.inset = '0';
  document.body.appendChild(div);

  // Resolved once this map has drawn the first choropleth (or cannot): the app waits for it
  // before it mounts, as its start holds the main thread for about a second on this machine and
  // MapLibre could not request and draw the tiles meanwhile. Never later than LONGEST_WAIT_MS.
  var LONGEST_WAIT_MS = 8000;
  var drawn;
  var boot = window.__cnimapBoot = {
    drawn: new Promise(function (resolve) { drawn = resolve; setTimeout(resolve, LONGEST_WAIT_MS); }),
    indicator: BOOT.indicator,
    layer: BOOT.layer,
    map: null,
    styleLoaded: false,
    drew: false,
    adopted: false,
    discard: discard,
    adopt: adopt,
  };

  function discard() {
    drawn();
    if (boot.map) boot.map.remove();
    boot.map = null;
    if (div.parentNode) div.parentNode.removeChild(div);
  }

  // The cards cover the left (desktop) or the top (phone) of the map: the app fits England
  // clear of them (dom::covered_padding) and moves the camera on adoption if this guess differs.
  function padding() {
    var w = window.innerWidth, h = window.innerHeight;
    if (w > 640) return { left: 368, top: 16, right: 16, bottom: 16 };
    return { left: 16, top: Math.round(h * 0.45) + 16, right: 16, bottom: 16 };
  }

  var site = window.__cnimapSite || Promise.resolve(null);
  site.then(function (isStatic) {
    if (boot.adopted || !div.parentNode) return drawn();
    var url = isStatic
      ? 'pmtiles://' + base + 'tiles/' + BOOT.layer + '.pmtiles'
      : location.origin + '/tiles/' + BOOT.layer + '.json';
    if (isStatic) {
      if (typeof window.pmtiles === 'undefined') return discard();
      if (!window.__cnimapPmtiles) {
        window.__cnimapPmtiles = new window.pmtiles.Protocol();
        window.maplibregl.addProtocol('pmtiles', window.__cnimapPmtiles.tile);
      }
    }
    var doc = function (path) {
      return isStatic ? base + 'api/' + path + '.json' : location.origin + '/api/' + path;
    };
    var sources = {};
    sources[BOOT.layer] = { type: 'vector', url: url };
    var options = {
      container: div,
      style: {
        version: 8,
        sources: sources,
        layers: BOOT.layers,
      },
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      minZoom: BOOT.minZoom,
      maxZoom: BOOT.maxZoom,
      fadeDuration: 0,
    };
    if (camera) {
      options.center = camera.center;
      options.zoom = camera.zoom;
    } else {
      options.bounds = BOOT.england;
      options.fitBoundsOptions = { padding: padding() };
    }
    // The classes go into the fill expression itself (`["at", ["id"], ["literal", classes]]` in
    // place of `["feature-state", key]`, as the app's map::set_classes writes them), so the tiles
    // are parsed once with their colours, and the app's own paint of the same classes is no
    // change. The values are preloaded (prefetch.js) and in long before the tiles.
    fetch(doc('values/' + BOOT.layer + '/' + BOOT.indicator))
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; })
      .then(function (v) {
        if (boot.adopted || !div.parentNode) return drawn();
        if (v && Array.isArray(v.decile)) {
          // Feature i's class is its decile (0: no value), as the app's classes::decile_classes.
          var classes = v.decile.map(function (d) { return d || 0; });
          options.style.layers = BOOT.layers.map(function (l) {
            return l.id === BOOT.fillId ? withClasses(l, classes) : l;
          });
        }
        try {
          boot.map = new maplibregl.Map(options);
        } catch (e) {
          discard();
          return;
        }
        boot.map.once('style.load', function () { boot.styleLoaded = true; });
        // The first choropleth is on the screen at the first idle with the classes drawn: the
        // same mark the app sets when it draws one itself (it sets it again after adopting this
        // map, once its own paint is done: the last entry of the mark is the app's).
        if (v && Array.isArray(v.decile)) {
          boot.map.once('idle', function () {
            boot.drew = true;
            performance.mark('cnimap:first-choropleth');
            drawn();
          });
        } else {
          drawn();
        }
      });
  });

  /** `layer` with `["feature-state", BOOT.key]` in its fill colour replaced by the classes. */
  function withClasses(layer, classes) {
    var put = function (e) {
      if (!Array.isArray(e) || e[0] === 'literal') return e;
      if (e.length === 2 && e[0] === 'feature-state' && e[1] === BOOT.key) return ['at', ['id'], ['literal', classes]];
      return e.map(put);
    };
    var copy = JSON.parse(JSON.stringify(layer));
    copy.paint['fill-color'] = put(copy.paint['fill-color']);
    return copy;
  }

  // The app takes the map: moved into its element, its whole style, its camera and zooms.
  // Returns { map, ready } (ready: the style is in, `style.load` will not fire again), or null
  // when there is no map or it shows something else than the app's first view (then removed).
  function adopt(container, opts, indicator, layer) {
    var map = boot.map;
    if (!map || boot.adopted || indicator !== boot.indicator || layer !== boot.layer) {
      discard();
      return null;
    }
    boot.adopted = true;
    container.appendChild(div);
    map.resize();
    map.setMinZoom(opts.minZoom);
    map.setMaxZoom(opts.maxZoom);
    var target = opts.center
      ? { center: opts.center, zoom: opts.zoom }
      : map.cameraForBounds(opts.bounds, opts.fitBoundsOptions);
    if (target) {
      var c = map.getCenter(), t = maplibregl.LngLat.convert(target.center);
      if (Math.abs(map.getZoom() - target.zoom) > 1e-6 || Math.abs(c.lng - t.lng) > 1e-9 || Math.abs(c.lat - t.lat) > 1e-9) {
        map.jumpTo({ center: target.center, zoom: target.zoom });
      }
    }
    var finish = function () {
      // Keep the colours already drawn until the app paints its own classes.
      var style = JSON.parse(JSON.stringify(opts.style));
      style.layers.forEach(function (l) {
        if (l.id === BOOT.fillId) l.paint['fill-color'] = map.getPaintProperty(BOOT.fillId, 'fill-color');
      });
      map.setStyle(style, { diff: true });
    };
    if (boot.styleLoaded) {
      finish();
      return { map: map, ready: true };
    }
    map.once('style.load', finish);
    return { map: map, ready: false };
  }
}());
