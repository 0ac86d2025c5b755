// A Qlik Sense visualization extension: the first rows of an AutoML prediction's result file.
// Qlik Sense loads this file as an AMD module with RequireJS; the package is an ES module, so
// it is loaded with a dynamic import() from lib/, a copy of the package's pkg/ folder placed
// beside this file. The extension runs on the tenant's own origin: the client needs no host
// and uses the signed-in user's session.
define(['require'], function (require) {
  'use strict';

  var DATASETS = ['predictions', 'shap', 'coordinate-shap', 'not-predicted-reasons', 'source'];
  var packageUrl = new URL(require.toUrl('./lib/index.js'), document.baseURI).href;
  var loading = null;
  var running = new WeakMap();

  // The package, its wasm module loaded; once per page.
  function loadPackage() {
    if (!loading) {
      loading = import(packageUrl).then(function (lib) {
        return lib.default().then(function () { return lib; });
      });
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  function text(tag, value) {
    var el = document.createElement(tag);
    el.textContent = value;
    return el;
  }

  function renderTable(root, result) {
    var table = document.createElement('table');
    table.className = 'automl-predictions-table';
    var head = table.createTHead().insertRow();
    result.columns.forEach(function (name) { head.appendChild(text('th', name)); });
    var body = table.createTBody();
    result.rows.forEach(function (row) {
      var tr = body.insertRow();
      row.forEach(function (cell) { tr.insertCell().textContent = cell === null ? '' : String(cell); });
    });
    var wrap = document.createElement('div');
    wrap.style.overflow = 'auto';
    wrap.style.height = '100%';
    wrap.appendChild(table);
    root.replaceChildren(wrap);
  }

  function describeError(e) {
    if (e && e.name === 'QlikApiError') {
      return 'The tenant answered ' + e.status + ' ' + e.code + ': ' + (e.title || '') + (e.detail ? ' (' + e.detail + ')' : '');
    }
    return e && e.message ? e.message : String(e);
  }

  return {
    initialProperties: { props: { predictionId: '', dataset: 'predictions', rows: 20 } },
    definition: {
      type: 'items',
      component: 'accordion',
      items: {
        prediction: {
          label: 'Prediction',
          type: 'items',
          items: {
            predictionId: { ref: 'props.predictionId', label: 'Prediction ID', type: 'string', expression: 'optional' },
            dataset: {
              ref: 'props.dataset',
              label: 'Result file',
              type: 'string',
              component: 'dropdown',
              options: DATASETS.map(function (d) { return { value: d, label: d }; }),
              defaultValue: 'predictions',
            },
            rows: { ref: 'props.rows', label: 'Rows', type: 'integer', defaultValue: 20, min: 1, max: 10000 },
          },
        },
        settings: { uses: 'settings' },
      },
    },
    support: { snapshot: false, export: false, exportData: false },

    // Called by Qlik Sense with a jQuery-wrapped element and the object's layout; returns a
    // promise that settles once the table (or an error message) is shown.
    paint: function ($element, layout) {
      var root = $element[0] || $element;
      var props = layout.props || {};
      var previous = running.get(root);
      if (previous) previous.abort();
      var controller = new AbortController();
      running.set(root, controller);
      if (!props.predictionId) {
        root.replaceChildren(text('p', 'Set a prediction ID in the properties panel.'));
        return Promise.resolve();
      }
      root.replaceChildren(text('p', 'Loading…'));
      return loadPackage()
        .then(function (lib) {
          var client = new lib.PredictionsClient({});
          return client.table(props.predictionId, props.dataset || 'predictions', {
            limit: props.rows || 20,
            signal: controller.signal,
          });
        })
        .then(function (result) {
          if (!controller.signal.aborted) renderTable(root, result);
        }, function (e) {
          if (!controller.signal.aborted) root.replaceChildren(text('p', describeError(e)));
        });
    },
  };
});
