/**
 * @module http/routes/docs
 * `GET /openapi.json`: the OpenAPI 3.1 document of the routes this app registered, and `GET
 * /docs`: its reference page. Both describe the API and hold no data, so they are served without
 * the admin token. Built on the first request, once every route is registered, then kept.
 */
import type { FastifyPluginAsync } from 'fastify';
import { openApiDocument, type OpenApiDocument, type RouteRecord } from '../openapi.js';
import { apiReference } from '../api-reference.js';
import { renderApiReferenceHtml } from '../api-reference-html.js';

export interface DocsRoutesOptions {
  /** The app's registered routes (http/openapi.ts `catalogRoutes`). */
  routes: readonly RouteRecord[];
  version?: string;
}

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

// Nothing on the page runs or loads: inline style only.
const PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const docsRoutes: FastifyPluginAsync<DocsRoutesOptions> = async (app, { routes, version }) => {
  let document: { json: string; html: string } | undefined;
  const built = () => {
    if (!document) {
      const openApi: OpenApiDocument = openApiDocument(routes, version === undefined ? {} : { version });
      document = { json: JSON.stringify(openApi), html: renderApiReferenceHtml(apiReference(openApi)) };
    }
    return document;
  };

  app.get(
    OPENAPI_PATH,
    {
      schema: {
        summary: 'This API as an OpenAPI 3.1 document',
        tags: ['reference'],
        response: { 200: { description: 'the document', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
    async (_request, reply) => reply.type('application/json; charset=utf-8').header('cache-control', 'no-cache').send(built().json),
  );
  app.get(
    DOCS_PATH,
    {
      schema: {
        summary: 'The API reference page',
        tags: ['reference'],
        response: { 200: { description: 'a self-contained HTML page', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
    async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', PAGE_POLICY)
        .header('x-content-type-options', 'nosniff')
        .send(built().html),
  );
};
