/**
 * @module http/routes/clevertap-templates
 * `GET /v1/clevertap/{accountId}/templates?limit=N&after=CURSOR`: CleverTap's "Template import
 * setup" (spec §5). Same credentials as the messaging endpoint; answers APPROVED templates in
 * Meta's own listing format from the synced catalogue, so an import never waits on Meta.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { AccountDirectory } from '../../config/accounts.js';
import { checkClevertapAuth, templateImportPage } from '../../clevertap/index.js';
import type { TemplateCatalog } from '../../pipeline/template-catalog.js';
import { problem } from '../problem.js';

export interface ClevertapTemplatesOptions {
  accounts: Pick<AccountDirectory, 'byId'>;
  catalog: Pick<TemplateCatalog, 'approvedFor' | 'indexFor'>;
  /**
   * Makes `paging.next` absolute, as Meta's is; without it the address the request reached is
   * used. Never the request's Host header: whoever sends the request chooses that, and `next` would
   * send CleverTap's next page request, credentials included, wherever it named.
   */
  publicBaseUrl?: string;
}

export const clevertapTemplatesRoute: FastifyPluginAsync<ClevertapTemplatesOptions> = async (app, { accounts, catalog, publicBaseUrl }) => {
  app.get<{ Params: { accountId: string }; Querystring: Record<string, string | string[] | undefined> }>(
    '/v1/clevertap/:accountId/templates',
    async (request, reply) => {
      const account = accounts.byId(request.params.accountId);
      if (!account) return problem(reply, 404, `no account "${request.params.accountId}" is configured`);
      if (!checkClevertapAuth(account.clevertap.auth, request.headers)) {
        return problem(reply, 401, 'missing or wrong credentials: use the ones configured for the messaging endpoint');
      }
      if (!catalog.indexFor(account.id)) {
        // An empty list would look like "no templates" and CleverTap would import nothing, silently.
        return problem(reply, 503, `templates of account "${account.id}" have not been synced from WhatsApp yet; try again shortly`);
      }
      const { limit, after } = request.query;
      const page = templateImportPage({
        approved: catalog.approvedFor(account.id),
        limit: single(limit),
        after: single(after),
        requestUrl: `${publicBaseUrl?.replace(/\/+$/, '') ?? listeningOrigin(request)}/v1/clevertap/${account.id}/templates${queryOf(request.url)}`,
      });
      return reply.code(page.status).type('application/json; charset=utf-8').send(page.body);
    },
  );
};

/** A repeated query parameter counts by its first value. */
function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The query string of a request target (origin- or absolute-form), with its `?`, or ''. */
function queryOf(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at);
}

/** `http://<address>:<port>` of the local end of the request's connection, else of the listening socket. */
function listeningOrigin(request: FastifyRequest): string {
  const socket = request.socket as { localAddress?: string; localPort?: number } | undefined;
  const listening = request.server.server.address() as AddressInfo | string | null;
  const bound = typeof listening === 'object' && listening ? listening : undefined;
  let host = socket?.localAddress ?? bound?.address ?? '127.0.0.1';
  const port = socket?.localPort ?? bound?.port;
  if (host.startsWith('::ffff:')) host = host.slice(7);
  if (host === '0.0.0.0' || host === '::') host = '127.0.0.1';
  if (host.includes(':')) host = `[${host}]`;
  return `${request.protocol}://${host}${port ? `:${port}` : ''}`;
}
