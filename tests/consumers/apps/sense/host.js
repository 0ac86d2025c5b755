// A stand-in for the Qlik Sense client on the tenant's origin: RequireJS configured the way
// the client is (extensions under /extensions/), the extension required by its module ID and
// painted into an element with a layout that carries its properties. window.paint(props)
// paints again with other properties.
require.config({ baseUrl: '/resources', paths: { extensions: '/extensions' } });

window.paint = function paint(props) {
  return new Promise(function (resolve, reject) {
    require(['extensions/automl-predictions-table/automl-predictions-table'], function (extension) {
      var layout = { qInfo: { qId: 'object-1', qType: 'automl-predictions-table' }, props: props };
      var element = document.getElementById('object');
      Promise.resolve(extension.paint([element], layout)).then(function () {
        resolve({
          keys: Object.keys(extension).sort(),
          cells: Array.from(element.querySelectorAll('tr'), function (tr) {
            return Array.from(tr.cells, function (cell) { return cell.textContent; });
          }),
          text: element.textContent,
        });
      }, reject);
    }, reject);
  });
};
