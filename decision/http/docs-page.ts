/**
 * /docs: a browsable page rendered from the OpenAPI document on the server (no external scripts or fonts: the
 * service may run where nothing outside is reachable).
 */
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function docsPage(doc: Record<string, unknown>): string {
  const info = doc['info'] as { title: string; description: string };
  const paths = doc['paths'] as Record<string, Record<string, { summary?: string; description?: string; requestBody?: unknown }>>;
  const rows: string[] = [];
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, o] of Object.entries(ops)) {
      const body = o.requestBody ? `<details><summary>request body</summary><pre>${esc(JSON.stringify(o.requestBody, null, 2))}</pre></details>` : '';
      rows.push(
        `<section><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3><p>${esc(o.summary ?? '')} ${esc(o.description ?? '')}</p>${body}</section>`,
      );
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font-family:ui-monospace,monospace}pre{background:#f6f8fa;padding:.75rem;overflow:auto;font-size:12px}
.m{display:inline-block;min-width:4.5rem;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px}
.get{background:#2f6f3e}.post{background:#1f5fa8}.put{background:#a86b1f}.delete{background:#a8321f}
section{border-bottom:1px solid #eee;padding:.25rem 0}</style></head>
<body><h1>${esc(info.title)}</h1><p>${esc(info.description)}</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Authenticate with <code>Authorization: Bearer &lt;API key&gt;</code>.</p>
${rows.join('\n')}</body></html>`;
}
