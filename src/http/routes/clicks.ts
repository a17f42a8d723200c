/**
 * @module http/routes/clicks
 * `GET /c/{code}`: the short link behind a click-tracked button. Redirects (302) to the real
 * destination at once and reports the click to CleverTap; the user never waits for the report.
 * Every tap is redirected; CleverTap hears of a link at most once per window (click-reports.ts).
 * A link whose stored destination is not a valid http(s) URL (stored before intake refused such
 * URLs) is answered 404 with the reason, never a 500 from an invalid Location header.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ClickReporter } from '../../pipeline/click-reports.js';
import { redirectTarget } from '../../pipeline/click-tracking.js';
import { problem } from '../problem.js';

export interface ClickRoutesOptions {
  reporter: ClickReporter;
  /** The short link as the user saw it, for CleverTap's `shortUrl`. */
  shortUrlFor(accountId: string, code: string): string;
}

export const CLICK_PATH_PREFIX = '/c/';

export const clickRoutes: FastifyPluginAsync<ClickRoutesOptions> = async (app, { reporter, shortUrlFor }) => {
  app.get<{ Params: { code: string } }>('/c/:code', async (request, reply) => {
    const code = request.params.code;
    const link = /^[A-Za-z0-9]{6,32}$/.test(code) ? await reporter.lookup(code) : undefined;
    if (!link) return problem(reply, 404, 'unknown link');
    const location = redirectTarget(link.url);
    if (!location) return problem(reply, 404, "this link's destination is not a valid http(s) URL");
    const userAgent = String(request.headers['user-agent'] ?? '');
    // The report is committed before the redirect is sent, so an answered tap is never lost.
    try {
      await reporter.report(link, shortUrlFor(link.accountId, code), userAgent);
    } catch (error) {
      request.log.error({ err: error, code }, 'could not record a click; redirecting anyway');
    }
    return reply.code(302).header('location', location).header('cache-control', 'no-store').send();
  });
};
