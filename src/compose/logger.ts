/**
 * @module compose/logger
 * The gateway's logger, with every path that may hold a secret redacted wherever a config or
 * header object is logged.
 */
import pino, { type Logger } from 'pino';
import type { Config } from '../config/schema.js';

/** Log paths that may hold secrets. */
const REDACTED_PATHS = [
  'config.accounts[*].clevertap.auth',
  'config.accounts[*].whatsapp.accessToken',
  'config.accounts[*].whatsapp.appSecret',
  'config.accounts[*].whatsapp.webhookVerifyToken',
  'config.server.mediaSigningSecret',
  'config.admin.token',
  'config.store.url',
  'config.queue.redisUrl',
  'req.headers.authorization',
  '*.accessToken',
  '*.appSecret',
  '*.password',
  '*.token',
];

export function createLogger(config: Config): Logger {
  return pino({ level: config.log.level, redact: { paths: REDACTED_PATHS, censor: '[secret]' } });
}
