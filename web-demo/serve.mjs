// Serves web-demo/dist on loopback as the deployment serves it (Workers Static Assets): the right
// MIME types (the .wasm must be application/wasm), the headers of dist/_headers, and the body
// compressed with brotli or gzip when the browser accepts it, as Cloudflare's edge does.
// `node web-demo/serve.mjs [PORT]`, or `startDemoServer(port)` from a test.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join, extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const root = fileURLToPath(new URL('./dist/', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript', '.js': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.ts': 'text/plain',
};

/**
 * The rules of a `_headers` file: a URL pattern (exact, or ending in `*`) on its own line, then its
 * headers indented, `Name: value`; `#` starts a comment.
 */
function headerRules(text) {
  const rules = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      rules.push({ pattern: line.trim(), headers: {} });
    } else if (rules.length > 0) {
      const at = line.indexOf(':');
      rules.at(-1).headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
    }
  }
  return rules;
}

function headersFor(rules, pathname) {
  const matches = (p) => (p.endsWith('*') ? pathname.startsWith(p.slice(0, -1)) : pathname === p);
  return Object.assign({}, ...rules.filter((r) => matches(r.pattern)).map((r) => r.headers));
}

/** The body in the best encoding the request accepts (compressed once per file and encoding). */
const compressed = new Map();
function encode(path, body, accepted) {
  const encoding = /\bbr\b/.test(accepted) ? 'br' : /\bgzip\b/.test(accepted) ? 'gzip' : null;
  if (encoding === null) return { body };
  const key = `${encoding} ${path}`;
  if (!compressed.has(key)) {
    compressed.set(key, encoding === 'br'
      ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
      : gzipSync(body));
  }
  return { body: compressed.get(key), encoding };
}

/// Starts the server (port 0: any free port); resolves to the server, `server.address().port` set.
export function startDemoServer(port = 0) {
  const rules = headerRules(readFileSync(join(root, '_headers'), 'utf8'));
  const server = createServer(async (req, res) => {
    const pathname = new URL(req.url, 'http://x').pathname;
    let path = normalize(join(root, decodeURIComponent(pathname)));
    // The rules files are read by the server, never served (as on Cloudflare).
    if (!path.startsWith(root) || /(^|\/)(_headers|\.assetsignore)$/.test(path)) { res.writeHead(404).end(); return; }
    try {
      if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
      const file = await readFile(path);
      const { body, encoding } = encode(path, file, req.headers['accept-encoding'] ?? '');
      res.writeHead(200, {
        ...headersFor(rules, pathname),
        'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
        vary: 'Accept-Encoding',
        ...(encoding ? { 'content-encoding': encoding } : {}),
      }).end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = await startDemoServer(Number(process.argv[2] ?? 8788));
  console.log(`web demo: http://127.0.0.1:${server.address().port}/  (dashboard: /dashboard.html)`);
}
