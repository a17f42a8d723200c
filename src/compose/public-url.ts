/**
 * @module compose/public-url
 * How CleverTap reaches this gateway: `server.publicBaseUrl` when configured, else the address
 * the server listens on, which is known only after `listen()` (port 0 picks a free port). The
 * media URL signer and the short links read it each time they build a URL, so nothing built
 * before `listen()` holds a stale or placeholder copy.
 */
import type { Logger } from 'pino';
import type { AccountDirectory } from '../config/accounts.js';
import { createMediaUrlSigner, type MediaUrlSigner } from '../http/media-url-signer.js';

export interface PublicUrlOptions {
  configured: string | undefined;
  /**
   * The listening address is how CleverTap reaches us when none is configured (sandbox mode: its
   * peers run on this machine). In production an unconfigured base means "unknown".
   */
  listenUrlIsPublic: boolean;
}

export class PublicUrl {
  #listenUrl: string | undefined;

  constructor(readonly options: PublicUrlOptions) {}

  /** The server listens at `url` now. */
  listening(url: string): void {
    this.#listenUrl = url;
  }

  /** The base CleverTap is given, or undefined while it is not known (or never will be). */
  base(): string | undefined {
    return this.options.configured ?? (this.options.listenUrlIsPublic ? this.#listenUrl : undefined);
  }

  /** Whether `base()` will be known once the server listens. */
  get willBeKnown(): boolean {
    return this.options.configured !== undefined || this.options.listenUrlIsPublic;
  }

  /**
   * The short link behind a click-tracked button: on the account's click-tracking domain, else
   * the public base, else the listening address.
   */
  shortLinkFor(accounts: Pick<AccountDirectory, 'byId'>, accountId: string, code: string): string {
    const base = accounts.byId(accountId)?.clevertap.clickTracking.baseUrl ?? this.options.configured ?? this.#listenUrl ?? '';
    return `${base.replace(/\/$/, '')}/c/${code}`;
  }
}

export interface MediaLinks {
  /** Verifies the URLs (served by the media proxy) and signs them. */
  signer: MediaUrlSigner;
  /** Present when inbound media can reach CleverTap as links (a secret and a public base). */
  urlFor?(accountId: string, mediaId: string): string;
}

/**
 * Signed inbound-media URLs, or undefined without a signing secret. Without a public base the
 * proxy still verifies URLs given out earlier, but new media reach CleverTap as a text note.
 */
export function createMediaLinks(options: { secret: string | undefined; publicUrl: PublicUrl; ttlMs: number; logger: Logger }): MediaLinks | undefined {
  const { secret, publicUrl, logger } = options;
  if (!secret) {
    logger.warn('server.mediaSigningSecret is not set: inbound media reaches CleverTap as a text note instead of a link');
    return undefined;
  }
  const signer = createMediaUrlSigner({
    secret,
    ttlMs: options.ttlMs,
    publicBaseUrl: () => {
      const base = publicUrl.base();
      // Inbound webhooks, and so media to link, arrive only once the server listens.
      if (base === undefined) throw new Error('media URLs are signed before the public base URL is known');
      return base;
    },
  });
  if (!publicUrl.willBeKnown) {
    logger.warn('server.publicBaseUrl is not set: inbound media reaches CleverTap as a text note instead of a link');
    return { signer };
  }
  return { signer, urlFor: (accountId, mediaId) => signer.urlFor(accountId, mediaId) };
}
