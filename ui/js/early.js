// Started with the page, before its modules arrive: the requests the first screen needs that
// depend on nothing but the URL and the sign-in token (who is signed in; on the annotation view,
// the dataset and its settings, and for a plain queue URL its first page of records and the
// first record's rendered markdown). Without this they would start only once every module is in
// and the router has run, one after the other. `api.js` takes each reply once, for a request it
// makes itself with the same method, path, body and token within a few seconds of the page's
// start (`takeEarly`); a different body drops it, anything not taken is dropped. A classic script
// (the Content-Security-Policy allows no inline script), run before the modules are (they are
// deferred). e2e/ui/unit/early.test.js keeps its requests in step with the view's.
(function () {
  /** @type {string|null} */
  var token = null;
  try {
    token = localStorage.getItem('loam.token');
  } catch (err) {
    return;
  }
  if (!token) return;
  /**
   * What api.js takes, by "METHOD path": a promise of the body sent and the reply (null: none).
   * @type {Map<string, Promise<{body: string|undefined, reply: Response}|null>>}
   */
  var started = new Map();
  /** @type {Record<string, string>} */
  var headers = { Accept: 'application/json', Authorization: 'Bearer ' + token };
  /** A network failure is no reply: the caller asks again itself. */
  var none = function () {
    return null;
  };
  /** @param {string} method @param {string} path @param {string} [body] @returns {Promise<Response|null>} */
  var ask = function (method, path, body) {
    /** @type {RequestInit} */
    var init = { method: method, headers: headers, credentials: 'omit' };
    if (body !== undefined) init = { method: method, headers: Object.assign({ 'Content-Type': 'application/json' }, headers), body: body, credentials: 'omit' };
    return fetch(path, init).catch(none);
  };
  /** @param {string|undefined} body @returns {(reply: Response|null) => {body: string|undefined, reply: Response}|null} */
  var sent = function (body) {
    return function (reply) {
      return reply && { body: body, reply: reply };
    };
  };

  var annotate = /^\/datasets\/([0-9a-f-]{36})\/annotate\/?$/.exec(location.pathname);
  var id = annotate ? annotate[1] : '';
  var paths = ['/api/v1/me'];
  if (annotate) {
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
  var fieldsPath = '/api/v1/datasets/' + id + '/fields';
  /** A copy of the fields' reply for `firstMarkdown`, made before api.js can read the reply. @type {Promise<Response|null>} */
  var fieldsCopy = Promise.resolve(null);
  for (var i = 0; i < paths.length; i++) {
    var reply = ask('GET', paths[i]);
    if (annotate && paths[i] === fieldsPath) {
      fieldsCopy = reply.then(function (res) {
        return res && res.clone();
      });
    }
    started.set('GET ' + paths[i], reply.then(sent(undefined)));
  }

  var queue = annotate ? plainQueue(new URLSearchParams(location.search)) : null;
  if (queue) {
    // The queue's first page, as lib/queue.js `searchBody` and views/annotate.js `fetchPage` ask
    // for it. It is handed over once the first record's markdown is asked for too (or known not
    // to be needed), so that api.js finds that request when it shows the record.
    /** @type {any[]} */
    var and = [{ type: 'terms', scope: { entity: 'response', property: 'status' }, values: [queue.status] }];
    if (queue.status === 'pending') and.push({ type: 'terms', scope: { entity: 'record', property: 'status' }, values: ['pending'] });
    var searchPath = '/api/v1/me/datasets/' + id + '/records/search?include=responses&include=suggestions&offset=' + queue.offset + '&limit=50';
    var searchBody = JSON.stringify({ filters: { type: 'and', and: and } });
    var search = ask('POST', searchPath, searchBody);
    started.set(
      'POST ' + searchPath,
      Promise.all([search, fieldsCopy])
        .then(function (got) {
          return got[0] ? handOver(got[0], got[1], searchBody) : null;
        })
        .catch(none),
    );
  }
  /** @type {any} */ (window).__loamEarly = { token: token, started: started };

  /**
   * The queue and offset of a plain queue URL (`?status=…&page=…` or nothing, as lib/queue.js
   * `queueQuery` reads them), or null for one with a search, sort, filter, record, the bulk view
   * or the Returned queue.
   * @param {URLSearchParams} query @returns {{status: string, offset: number}|null}
   */
  function plainQueue(query) {
    var status = 'pending';
    var page = 1;
    var plain = true;
    query.forEach(function (value, key) {
      if (key === 'status' && ['pending', 'draft', 'submitted', 'discarded'].indexOf(value) >= 0) status = value;
      else if (key === 'page' && /^[1-9][0-9]{0,6}$/.test(value)) page = Number(value);
      else plain = false;
    });
    return plain ? { status: status, offset: page - 1 } : null;
  }

  /**
   * The first page's reply, for api.js, once the first record's markdown is asked for.
   * @param {Response} page @param {Response|null} fields @param {string} body the search's
   */
  function handOver(page, fields, body) {
    return firstMarkdown(page, fields).then(function (texts) {
      if (texts) {
        var md = JSON.stringify({ texts: texts });
        started.set('POST /api/v1/ui/markdown', ask('POST', '/api/v1/ui/markdown', md).then(sent(md)));
      }
      return { body: body, reply: page };
    });
  }

  /**
   * The markdown texts of the page's first record (lib/markdown.js `markdownTexts`), or null when
   * it has none or a reply is not as expected; read from a copy of the page (handed to api.js
   * only after this) and the copy of the fields.
   * @param {Response} page @param {Response|null} fields @returns {Promise<string[]|null>}
   */
  function firstMarkdown(page, fields) {
    if (!page.ok || !fields || !fields.ok) return Promise.resolve(null);
    return Promise.all([page.clone().json(), fields.json()]).then(function (got) {
      var first = got[0].items && got[0].items[0];
      /** @type {any[]} */
      var list = got[1].items;
      if (!first || !Array.isArray(list)) return null;
      /** @type {string[]} */
      var texts = [];
      for (var j = 0; j < list.length; j++) {
        var f = list[j];
        var v = first.record.fields[f.name];
        if (v === undefined || v === null || !f.settings.use_markdown) continue;
        if (f.settings.type === 'text' && typeof v === 'string') texts.push(v);
        if (f.settings.type === 'chat' && Array.isArray(v)) for (var k = 0; k < v.length; k++) texts.push(String(v[k].content == null ? '' : v[k].content));
      }
      return texts.length ? texts : null;
    }, none);
  }
})();
