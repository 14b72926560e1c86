// Started with the page, before its modules arrive: the GET requests the first screen needs that
// depend on nothing but the URL and the sign-in token (who is signed in; on the annotation view,
// the dataset and its settings). Without this they would start only once every module is in and
// the router has run, one after the other. `api.js` takes each reply once, for a request it makes
// itself with the same token within a few seconds of the page's start (`takeEarly`); anything not
// taken is dropped. A classic script (the Content-Security-Policy allows no inline script), run
// before the modules are (they are deferred).
(function () {
  var token = null;
  try {
    token = localStorage.getItem('loam.token');
  } catch (err) {
    return;
  }
  if (!token) return;
  var paths = ['/api/v1/me'];
  var annotate = /^\/datasets\/([0-9a-f-]{36})\/annotate\/?$/.exec(location.pathname);
  if (annotate) {
    var id = annotate[1];
    paths.push(
      '/api/v1/datasets/' + id,
      '/api/v1/datasets/' + id + '/fields',
      '/api/v1/datasets/' + id + '/questions',
      '/api/v1/datasets/' + id + '/pairwise',
      '/api/v1/me/datasets/' + id + '/metadata-properties',
      '/api/v1/me/datasets/' + id + '/review/returned',
      '/api/v1/me/review/workspaces',
    );
  }
  var started = new Map();
  for (var i = 0; i < paths.length; i++) {
    var reply = fetch(paths[i], { headers: { Accept: 'application/json', Authorization: 'Bearer ' + token }, credentials: 'omit' });
    // A network failure is no reply: the caller asks again itself.
    started.set(paths[i], reply.catch(function () {
      return null;
    }));
  }
  /** @type {any} */ (window).__loamEarly = { token: token, started: started };
})();
