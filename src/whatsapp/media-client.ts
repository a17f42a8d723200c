/**
 * @module whatsapp/media-client
 * Fetches media from the Cloud API: `GET /{media-id}` gives a download URL valid for 5 minutes,
 * and `GET <url>` with the Bearer token gives the bytes.
 *
 * Downloads are streamed, never buffered: inbound documents may be up to 100 MB, and CleverTap
 * may fetch several at once. Resolved URLs are cached until shortly before they expire, so
 * repeated fetches of one media id (an agent re-opening a chat) cost one Graph call per
 * 5 minutes; a URL that expired anyway is re-resolved once. HTTP trouble never throws: it comes
 * back as a `MediaFailure`, and the access token never appears in one.
 */
import { isMediaId } from './media-id.js';
import type { Readable } from 'node:stream';
import { Agent } from 'undici';
import { GraphClient } from './graph-client.js';

export interface MediaClientOptions {
  /** Including the version path, e.g. `https://graph.facebook.com/v23.0`. */
  graphBaseUrl: string;
  accessToken: string;
  /**
   * Sent as `?phone_number_id=` on lookups, so Meta only answers for media of this number. Leave
   * it out for inbound media unless verified against Meta: the signed URL already ties a media
   * id to its account.
   */
  phoneNumberId?: string;
  /** How long Meta's download URLs live. Default 5 minutes. */
  urlTtlMs?: number;
  /** Sockets per download host. Default 16. */
  connections?: number;
  /** Longest pause between two body chunks. Default 30 s. */
  bodyTimeoutMs?: number;
  /** Default 10 s. */
  headersTimeoutMs?: number;
  now?: () => number;
}

export interface ResolvedMedia {
  kind: 'ok';
  url: string;
  mimeType: string;
  fileSize?: number;
  /** Hex, as `GET /{media-id}` reports it. */
  sha256?: string;
}

/**
 * `not-found`: Meta does not know the media id (never existed, deleted, or older than 7 days).
 * `upstream`: anything else. `status` is the upstream HTTP status, 0 when there was no answer.
 */
export interface MediaFailure {
  kind: 'not-found' | 'upstream';
  status: number;
  detail: string;
}

export interface MediaDownload {
  kind: 'ok';
  mimeType: string;
  contentLength?: number;
  /** Unread; the caller must consume or destroy it. Destroying aborts the download. */
  body: Readable;
}

const DEFAULT_URL_TTL_MS = 5 * 60_000;
/** Drop a cached URL this long before Meta does, so a slow download never starts on a dying URL. */
const URL_EXPIRY_MARGIN_MS = 30_000;
const MAX_CACHED_URLS = 10_000;
/**
 * Where Meta serves media from. The download carries the access token, so a URL anywhere else
 * (a compromised or misconfigured Graph endpoint) is refused rather than handed the token.
 */
const META_MEDIA_HOSTS = /(^|\.)(fbsbx\.com|facebook\.com|fbcdn\.net|whatsapp\.net)$/i;

type Fetched = MediaDownload | MediaFailure | { kind: 'stale'; status: number };

export interface MediaClientStats {
  /** `GET /{media-id}` calls made. */
  lookups: number;
  /** Downloads started (including the retry after a refresh). */
  downloads: number;
  /** Downloads whose URL had expired and was looked up again. */
  refreshed: number;
}

export class MediaClient {
  readonly stats: MediaClientStats = { lookups: 0, downloads: 0, refreshed: 0 };
  readonly #graph: GraphClient;
  readonly #agent: Agent;
  readonly #graphOrigin: string;
  readonly #accessToken: string;
  readonly #phoneNumberId: string | undefined;
  readonly #cacheMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, { media: ResolvedMedia; until: number }>();
  /** Concurrent fetches of one media id share one lookup. */
  readonly #lookups = new Map<string, Promise<ResolvedMedia | MediaFailure>>();

  constructor(options: MediaClientOptions) {
    this.#graph = new GraphClient({ graphBaseUrl: options.graphBaseUrl, accessToken: options.accessToken, connections: 8 });
    this.#graphOrigin = new URL(options.graphBaseUrl).origin;
    this.#accessToken = options.accessToken;
    this.#phoneNumberId = options.phoneNumberId;
    this.#cacheMs = Math.max(0, (options.urlTtlMs ?? DEFAULT_URL_TTL_MS) - URL_EXPIRY_MARGIN_MS);
    this.#now = options.now ?? Date.now;
    this.#agent = new Agent({
      connections: options.connections ?? 16,
      pipelining: 1,
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      bodyTimeout: options.bodyTimeoutMs ?? 30_000,
      connectTimeout: 5_000,
    });
  }

  /** `GET /{media-id}`: a fresh download URL and the media's metadata. Not cached. */
  async resolve(mediaId: string): Promise<ResolvedMedia | MediaFailure> {
    if (!isMediaId(mediaId)) return { kind: 'not-found', status: 0, detail: 'not a media id' };
    this.stats.lookups++;
    const query = this.#phoneNumberId ? `?phone_number_id=${encodeURIComponent(this.#phoneNumberId)}` : '';
    const outcome = await this.#graph.getJson<Record<string, unknown>>(`${encodeURIComponent(mediaId)}${query}`);
    if (outcome.kind === 'transport') return { kind: 'upstream', status: 0, detail: `media lookup failed: ${outcome.error}` };
    if (outcome.kind === 'rejected') {
      // Graph answers an unknown or expired object id with code 100 (subcode 33), whatever the HTTP status.
      const gone = outcome.code === 100 || outcome.httpStatus === 404;
      return {
        kind: gone ? 'not-found' : 'upstream',
        status: outcome.httpStatus,
        detail: `Meta refused the media lookup: (#${outcome.code}) ${outcome.title}`,
      };
    }
    const body = outcome.body;
    const url = body['url'];
    if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) {
      return { kind: 'upstream', status: outcome.httpStatus, detail: 'the media lookup answered without a download URL' };
    }
    const mimeType = typeof body['mime_type'] === 'string' ? body['mime_type'] : '';
    const fileSize = Number(body['file_size']);
    const sha256 = body['sha256'];
    return {
      kind: 'ok',
      url,
      mimeType,
      ...(Number.isSafeInteger(fileSize) && fileSize >= 0 ? { fileSize } : {}),
      ...(typeof sha256 === 'string' && sha256 !== '' ? { sha256 } : {}),
    };
  }

  /** Resolves (cached) and starts the download; the body streams as the caller reads it. */
  async download(mediaId: string): Promise<MediaDownload | MediaFailure> {
    const first = await this.#cachedResolve(mediaId);
    if (first.kind !== 'ok') return first;
    const fetched = await this.#fetch(first);
    if (fetched.kind !== 'stale') return fetched;

    // 404/401 on the download is how an expired URL looks; Meta's advice is to fetch a new one.
    this.stats.refreshed++;
    this.#cache.delete(mediaId);
    const second = await this.#cachedResolve(mediaId);
    if (second.kind !== 'ok') return second;
    const retried = await this.#fetch(second);
    if (retried.kind !== 'stale') return retried;
    this.#cache.delete(mediaId);
    return retried.status === 404
      ? { kind: 'not-found', status: 404, detail: 'Meta no longer serves this media' }
      : { kind: 'upstream', status: retried.status, detail: `Meta refused the media download (HTTP ${retried.status}); check the access token` };
  }

  async close(): Promise<void> {
    await Promise.all([this.#graph.close(), this.#agent.close()]);
  }

  async #cachedResolve(mediaId: string): Promise<ResolvedMedia | MediaFailure> {
    const cached = this.#cache.get(mediaId);
    if (cached && cached.until > this.#now()) return cached.media;
    const pending = this.#lookups.get(mediaId);
    if (pending) return pending;
    const lookup = this.resolve(mediaId).then((media) => {
      this.#lookups.delete(mediaId);
      if (media.kind === 'ok') this.#remember(mediaId, media);
      else this.#cache.delete(mediaId);
      return media;
    });
    this.#lookups.set(mediaId, lookup);
    return lookup;
  }

  #remember(mediaId: string, media: ResolvedMedia): void {
    this.#cache.delete(mediaId);
    if (this.#cache.size >= MAX_CACHED_URLS) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    this.#cache.set(mediaId, { media, until: this.#now() + this.#cacheMs });
  }

  async #fetch(media: ResolvedMedia): Promise<Fetched> {
    const url = new URL(media.url);
    if (url.origin !== this.#graphOrigin && !(url.protocol === 'https:' && META_MEDIA_HOSTS.test(url.hostname))) {
      return { kind: 'upstream', status: 0, detail: `refusing to send the access token to ${url.origin}` };
    }
    this.stats.downloads++;
    let response;
    try {
      response = await this.#agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'GET',
        headers: { authorization: `Bearer ${this.#accessToken}` },
      });
    } catch (error) {
      return { kind: 'upstream', status: 0, detail: this.#redact(`media download failed: ${describeError(error)}`) };
    }
    const { statusCode, headers, body } = response;
    if (statusCode < 200 || statusCode >= 300) {
      await body.dump().catch(() => undefined);
      if (statusCode === 404 || statusCode === 401) return { kind: 'stale', status: statusCode };
      return { kind: 'upstream', status: statusCode, detail: `the media download answered HTTP ${statusCode}` };
    }
    const contentLength = Number(header(headers['content-length']));
    return {
      kind: 'ok',
      // Meta's metadata type matches what the webhook (and so CleverTap) announced; the
      // download's own header is the fallback.
      mimeType: media.mimeType || header(headers['content-type']) || 'application/octet-stream',
      ...(header(headers['content-length']) !== undefined && Number.isSafeInteger(contentLength) && contentLength >= 0 ? { contentLength } : {}),
      body,
    };
  }

  #redact(text: string): string {
    return text.split(this.#accessToken).join('[redacted]');
  }
}

function header(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return [typeof code === 'string' ? code : error.name, error.message].filter((part) => part !== '').join(': ');
}
