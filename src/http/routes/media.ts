/**
 * @module http/routes/media
 * `GET /v1/media/:mediaId?a=&e=&s=`: the inbound media proxy. CleverTap gets these signed URLs in
 * inbound-message callbacks; fetching one streams the file from Meta with the account's token,
 * which CleverTap never sees. The signature is the only credential (see http/media-url-signer).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { MediaUrlSigner } from '../media-url-signer.js';
import type { MediaClient } from '../../whatsapp/media-client.js';
import { problem } from '../problem.js';

export interface MediaRoutesOptions {
  signer: MediaUrlSigner;
  /** The account's client; undefined when the account in a (validly signed) URL no longer exists. */
  mediaClientFor(accountId: string): MediaClient | undefined;
  logger?: { warn(object: object, message: string): void };
}

export const mediaRoutes: FastifyPluginAsync<MediaRoutesOptions> = async (app, { signer, mediaClientFor, logger }) => {
  app.route<{ Params: { mediaId: string }; Querystring: Record<string, unknown> }>({
    // HEAD is routed explicitly: fastify's automatic HEAD route would drain the whole download.
    method: ['GET', 'HEAD'],
    url: '/v1/media/:mediaId',
    handler: async (request, reply) => {
      const { mediaId } = request.params;
      const verdict = signer.verify(singleValues(request.query), mediaId);
      if (!verdict.ok) return problem(reply, 403, verdict.reason);

      const client = mediaClientFor(verdict.accountId);
      if (!client) return problem(reply, 404, `account ${verdict.accountId} is not configured`);

      const result = await client.download(mediaId);
      if (result.kind !== 'ok') {
        if (result.kind === 'not-found') return problem(reply, 404, 'Meta no longer has this media (inbound media is kept for 7 days)');
        (logger ?? request.log).warn({ accountId: verdict.accountId, mediaId, status: result.status, detail: result.detail }, 'media download failed');
        return problem(reply, 502, result.detail);
      }

      reply
        .header('content-type', result.mimeType)
        // The bytes behind a media id never change; `private` keeps shared caches from holding a
        // customer's file, and 5 minutes spares Meta repeated fetches from one viewer.
        .header('cache-control', 'private, max-age=300')
        // Customer-supplied bytes served from the gateway's origin (where the admin console lives):
        // no MIME sniffing and no script execution, even for a "text/html" document.
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox");
      if (result.contentLength !== undefined) reply.header('content-length', result.contentLength);
      if (request.method === 'HEAD') {
        // Headers only: stop the download rather than fetch the whole file for nothing.
        result.body.destroy();
        return reply.send();
      }
      // fastify pipes the stream and destroys it if the client goes away, which aborts the download.
      return reply.send(result.body);
    },
  });
};

/**
 * The signature parameters as single strings. A repeated one (`?s=x&s=y`) arrives as an array;
 * it becomes a value no signature matches rather than either of the two.
 */
function singleValues(query: Record<string, unknown>): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const key of ['a', 'e', 's']) {
    const value = query[key];
    values[key] = typeof value === 'string' ? value : Array.isArray(value) ? '!' : undefined;
  }
  return values;
}
