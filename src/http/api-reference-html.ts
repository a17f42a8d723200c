/**
 * @module http/api-reference-html
 * The reference page served at /docs: one self-contained HTML document (inline style, no script,
 * nothing fetched from elsewhere: the gateway often runs where there is no internet) rendered on
 * the server from the API reference (http/api-reference.ts).
 */
import type { ApiReference, BodyView, FieldRow, OperationView, ParameterRow } from './api-reference.js';

export function renderApiReferenceHtml(reference: ApiReference): string {
  const nav = reference.tags
    .map((tag) => `<li><a href="#tag-${attr(tag.name)}">${text(tag.name)}</a><ul>${tag.operations.map((operation) => `<li><a href="#${attr(operation.operationId)}"><span class="m m-${attr(operation.method.toLowerCase())}">${text(operation.method)}</span> ${text(operation.path)}</a></li>`).join('')}</ul></li>`)
    .join('');
  const sections = reference.tags
    .map((tag) => `<section id="tag-${attr(tag.name)}"><h2>${text(tag.name)}</h2>${tag.description ? `<p>${inline(tag.description)}</p>` : ''}${tag.operations.map(operationHtml).join('')}</section>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${text(reference.title)} API reference</title>
<style>${STYLE}</style>
</head>
<body>
<nav><p class="brand">${text(reference.title)} <small>${text(reference.version)}</small></p><ul>${nav}</ul></nav>
<main>
<h1>${text(reference.title)} API reference</h1>
<p>${inline(reference.description)}</p>
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<h2 id="auth">Authentication</h2>
<p>${inline(reference.auth)}</p>
<h2 id="errors">Errors</h2>
${fieldTable(reference.problem)}
${sections}
</main>
</body>
</html>
`;
}

function operationHtml(operation: OperationView): string {
  const parts = [
    `<article id="${attr(operation.operationId)}">`,
    `<h3><span class="m m-${attr(operation.method.toLowerCase())}">${text(operation.method)}</span> <code>${text(operation.path)}</code></h3>`,
    operation.summary ? `<p class="summary">${inline(operation.summary)}</p>` : '',
    operation.description ? `<p>${inline(operation.description)}</p>` : '',
    `<p class="auth">Auth: ${inline(operation.auth)}</p>`,
    operation.parameters.length > 0 ? `<h4>Parameters</h4>${parameterTable(operation.parameters)}` : '',
    operation.body ? `<h4>Body <code>${text(operation.body.contentType)}</code>${operation.body.component ? ` ${text(operation.body.component)}` : ''}</h4>${bodyHtml(operation.body)}` : '',
    '<h4>Answers</h4>',
    '<table><thead><tr><th>status</th><th>meaning</th><th>body</th></tr></thead><tbody>',
    ...operation.responses.map(
      (response) =>
        `<tr><td>${text(response.status)}</td><td>${inline(response.description)}</td><td>${
          !response.body ? '—' : response.body.component === 'Problem' ? '<a href="#errors">error</a>' : `<code>${text(response.body.contentType)}</code>${response.body.fields.length > 0 || response.body.example !== undefined ? bodyHtml(response.body) : ''}`
        }</td></tr>`,
    ),
    '</tbody></table>',
    '</article>',
  ];
  return parts.join('');
}

function bodyHtml(body: BodyView): string {
  return (body.fields.length > 0 ? fieldTable(body.fields) : '') + (body.example !== undefined ? `<details><summary>example</summary><pre>${text(JSON.stringify(body.example, null, 2))}</pre></details>` : '');
}

function parameterTable(rows: ParameterRow[]): string {
  return `<table><thead><tr><th>name</th><th>in</th><th>type</th><th>required</th><th>notes</th></tr></thead><tbody>${rows
    .map((row) => `<tr><td><code>${text(row.name)}</code></td><td>${text(row.in)}</td><td>${inline(row.type)}</td><td>${row.required ? 'yes' : 'no'}</td><td>${inline(row.notes)}</td></tr>`)
    .join('')}</tbody></table>`;
}

function fieldTable(rows: FieldRow[]): string {
  return `<table><thead><tr><th>field</th><th>type</th><th>required</th><th>notes</th></tr></thead><tbody>${rows
    .map((row) => `<tr><td><code>${text(row.name)}</code></td><td>${inline(row.type)}</td><td>${row.required ? 'yes' : 'no'}</td><td>${inline(row.notes)}</td></tr>`)
    .join('')}</tbody></table>`;
}

/** Escaped text with the reference's `code` spans (Markdown backticks) as <code>. */
function inline(value: string): string {
  return text(value.replace(/\\\|/g, '|')).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function text(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function attr(value: string): string {
  return text(value).replace(/[^A-Za-z0-9_.:-]/g, '-');
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1d2329;--muted:#5c6670;--line:#d8dde3;--bg:#fff;--code:#f3f5f7}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ec;--muted:#9aa4ae;--line:#333a41;--bg:#16191c;--code:#22272c}}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);display:flex}
nav{position:sticky;top:0;height:100vh;overflow:auto;width:20rem;flex:none;border-right:1px solid var(--line);padding:1rem;font-size:13px}
nav ul{list-style:none;padding-left:.5rem;margin:.25rem 0}nav a{color:inherit;text-decoration:none}nav a:hover{text-decoration:underline}
.brand{font-weight:600;font-size:16px;margin:0 0 1rem}main{padding:1rem 2rem 4rem;max-width:70rem;min-width:0}
article{border-top:1px solid var(--line);padding:1rem 0}h3 code{font-size:15px}.summary{font-weight:500}.auth{color:var(--muted)}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:13px}th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
code,pre{font-family:ui-monospace,monospace;background:var(--code);border-radius:3px}code{padding:0 .2rem}pre{padding:.5rem;overflow:auto}
.m{display:inline-block;min-width:3.5rem;text-align:center;font:600 11px ui-monospace,monospace;border-radius:3px;padding:.1rem .3rem;color:#fff;background:#687480}
.m-get{background:#2b7bb9}.m-post{background:#2f8f4e}.m-put{background:#b7791f}.m-delete{background:#c0392b}.m-patch{background:#7d5ba6}
`;
