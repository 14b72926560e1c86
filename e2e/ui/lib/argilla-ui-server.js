// Serves Argilla's own built web UI (the argilla-server wheel's `static/` directory) in front of
// a loam server, as the reference server serves it in front of itself: files from the directory
// (a directory's index.html for a path naming a directory; index.html for any path naming
// nothing, the single-page app's deep links) and every `/api` request passed to loam unchanged.
// It stands in for the reference server's static mount only: loam's own UI routes keep their
// strict Content-Security-Policy, which Argilla's inline bootstrap scripts would not pass.
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

/** The file under `root` that `urlPath` names (a directory's index.html), or null. */
async function fileFor(root, urlPath) {
  let rel;
  try {
    rel = normalize(decodeURIComponent(urlPath)).replace(/^[/\\]+/, '');
  } catch {
    return null;
  }
  if (rel.split(sep).includes('..')) return null;
  const path = join(root, rel);
  try {
    const info = await stat(path);
    if (info.isFile()) return path;
    if (info.isDirectory()) {
      const index = join(path, 'index.html');
      if ((await stat(index)).isFile()) return index;
    }
  } catch {
    // not there
  }
  return null;
}

/** Passes `req` to `api` (an origin such as http://127.0.0.1:1234) and its reply back. */
function proxy(req, res, api) {
  const target = new URL(req.url, api);
  const headers = { ...req.headers, host: target.host };
  const upstream = http.request(target, { method: req.method, headers }, (reply) => {
    res.writeHead(reply.statusCode ?? 502, reply.headers);
    reply.pipe(res);
  });
  upstream.on('error', (err) => {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`proxy: ${err.message}`);
  });
  req.pipe(upstream);
}

/**
 * Starts the server on 127.0.0.1 (a free port); resolves to { url, close }.
 * @param {string} root the static directory (with `@@baseUrl@@` already replaced)
 * @param {string} api loam's origin
 */
export async function startArgillaUi(root, api) {
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/api' || path.startsWith('/api/')) return proxy(req, res, api);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const file = (await fileFor(root, path)) ?? join(root, 'index.html');
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}
