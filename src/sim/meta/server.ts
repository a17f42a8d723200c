/**
 * @module sim/meta/server
 * The Graph-shaped HTTP surface: `/{version}/{phone-number-id}/messages|media`,
 * `/{version}/{object-id}` (media, phone number, template, WABA), `/{version}/{waba-id}/message_templates`
 * and the media download path. Every failure uses Graph's envelope, including fastify's own
 * (bad JSON, unknown path), because a gateway's error handling is only as good as what it was
 * tested against.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { checkAuth } from './auth.js';
import type { Reply, SimCore } from './core.js';
import {
  fbtraceId,
  invalidParameterError,
  unknownObjectError,
  unknownPathError,
  whatsappError,
  wwwAuthenticate,
  type GraphErrorReply,
} from './errors.js';
import { MAX_DOCUMENT_BYTES, parseMultipart, uploadProblem } from './media.js';
import { listTemplates, projectTemplate, type ListQuery } from './templates.js';
import type { PinoLike } from './types.js';

const VERSION = /^v\d{1,3}\.\d{1,2}$/;
const JSON_BODY_LIMIT = 4 * 1024 * 1024;

type Query = Record<string, string | undefined>;
interface VersionParams {
  version: string;
}

export function buildServer(core: SimCore, baseUrl: () => string, logger: false | PinoLike | undefined): FastifyInstance {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger as unknown as FastifyBaseLogger } : { logger: false }),
    bodyLimit: JSON_BODY_LIMIT,
    // The gateway keeps connections alive; closing must not wait for it to hang up.
    forceCloseConnections: true,
    return503OnClosing: false,
  });

  // Uploads and raw control bodies arrive as bytes; /messages falls back to JSON.parse on them.
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_DOCUMENT_BYTES + 1024 * 1024 }, (_req, body, done) => {
    done(null, body);
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, _req, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      const err: GraphErrorReply = {
        status: 500,
        code: 1,
        body: { error: { message: 'An unknown error has occurred.', type: 'OAuthException', code: 1, fbtrace_id: fbtraceId() } },
      };
      return sendGraph(reply, err);
    }
    const err = invalidParameterError(error.message);
    if (status === 413) err.status = 413;
    return sendGraph(reply, err);
  });

  app.setNotFoundHandler((req, reply) => sendGraph(reply, unknownPathError(req.url.split('?')[0] ?? req.url)));

  const guard = (req: FastifyRequest<{ Params: VersionParams }>, reply: FastifyReply): boolean => {
    if (!VERSION.test(req.params.version)) {
      sendGraph(reply, unknownPathError(req.url.split('?')[0] ?? req.url));
      return false;
    }
    const err = checkAuth(req.headers.authorization, (req.query as Query).access_token, core.accessToken);
    if (err) {
      sendGraph(reply, err);
      return false;
    }
    return true;
  };

  app.post<{ Params: VersionParams & { phoneNumberId: string }; Querystring: Query }>(
    '/:version/:phoneNumberId/messages',
    (req, reply) => {
      const { version, phoneNumberId } = req.params;
      if (!VERSION.test(version)) return sendGraph(reply, unknownPathError(req.url.split('?')[0] ?? req.url));
      let body: unknown = req.body;
      if (Buffer.isBuffer(body)) {
        try {
          body = JSON.parse(body.toString('utf8'));
        } catch {
          return sendGraph(reply, invalidParameterError('The request body must be JSON.'));
        }
      }
      return sendGraph(reply, core.send(version, phoneNumberId, req.headers.authorization, req.query.access_token, body));
    },
  );

  app.post<{ Params: VersionParams & { phoneNumberId: string } }>('/:version/:phoneNumberId/media', (req, reply) => {
    if (!guard(req, reply)) return reply;
    const phoneNumberId = req.params.phoneNumberId;
    if (!core.phones.has(phoneNumberId)) return sendGraph(reply, unknownObjectError(phoneNumberId, 'post'));
    const body = req.body;
    const contentType = req.headers['content-type'] ?? '';
    if (!Buffer.isBuffer(body) || !contentType.toLowerCase().startsWith('multipart/form-data')) {
      return sendGraph(reply, invalidParameterError('Media uploads must be multipart/form-data.'));
    }
    const form = parseMultipart(body, contentType);
    if (!form) return sendGraph(reply, invalidParameterError('Could not parse the multipart body.'));
    if (form.fields.messaging_product !== 'whatsapp') {
      return sendGraph(reply, invalidParameterError('The parameter messaging_product is required.'));
    }
    if (!form.file) return sendGraph(reply, invalidParameterError('The parameter file is required.'));
    const mimeType = (form.fields.type ?? form.file.contentType ?? '').trim().toLowerCase();
    if (mimeType === '') return sendGraph(reply, invalidParameterError('The parameter type is required.'));
    const problem = uploadProblem(mimeType, form.file.bytes.length);
    if (problem) return sendGraph(reply, whatsappError(131053, problem, core.mode));
    const entry = core.media.add(form.file.bytes, mimeType, phoneNumberId, form.file.filename);
    return reply.send({ id: entry.id });
  });

  app.get<{ Params: VersionParams & { wabaId: string }; Querystring: Query }>(
    '/:version/:wabaId/message_templates',
    (req, reply) => {
      if (!guard(req, reply)) return reply;
      const { version, wabaId } = req.params;
      if (!core.wabas.has(wabaId)) return sendGraph(reply, unknownObjectError(wabaId, 'get'));
      if (!core.takeManagementCall(wabaId)) return sendGraph(reply, whatsappError(80007, undefined, core.mode));
      const q = req.query;
      const result = listTemplates(core.templates, q as ListQuery, (param, cursor) => {
        const next = new URLSearchParams();
        for (const [k, v] of Object.entries(q)) if (v !== undefined && k !== 'after' && k !== 'before') next.set(k, v);
        next.set(param, cursor);
        return `${baseUrl()}/${version}/${wabaId}/message_templates?${next.toString()}`;
      });
      if (!result.ok) return sendGraph(reply, invalidParameterError(result.message));
      return reply.send(result.body);
    },
  );

  app.get<{ Params: VersionParams & { objectId: string }; Querystring: Query }>('/:version/:objectId', (req, reply) => {
    if (!guard(req, reply)) return reply;
    const id = req.params.objectId;
    const fields = req.query.fields ? new Set(req.query.fields.split(',').map((f) => f.trim())) : undefined;
    const media = core.media.get(id);
    if (media) {
      const owner = req.query.phone_number_id;
      if (owner !== undefined && media.phoneNumberId !== undefined && owner !== media.phoneNumberId) {
        return sendGraph(reply, unknownObjectError(id, 'get'));
      }
      return reply.send({
        messaging_product: 'whatsapp',
        url: `${baseUrl()}/_media/${core.media.issueToken(id)}?mid=${id}`,
        mime_type: media.mimeType,
        sha256: media.sha256,
        file_size: media.fileSize,
        id,
      });
    }
    const phone = core.phones.get(id);
    if (phone) {
      return reply.send(
        pick(
          {
            verified_name: 'wabridge Simulator',
            code_verification_status: 'VERIFIED',
            display_phone_number: phone.displayPhoneNumber,
            quality_rating: 'GREEN',
            platform_type: 'CLOUD_API',
            throughput: { level: phone.messagesPerSecond >= 1000 ? 'HIGH' : 'STANDARD' },
            whatsapp_business_manager_messaging_limit: 'TIER_UNLIMITED',
            id,
          },
          fields,
          ['verified_name', 'code_verification_status', 'display_phone_number', 'quality_rating', 'id'],
        ),
      );
    }
    const template = core.templates.byTemplateId(id);
    if (template) return reply.send(projectTemplate(template, fields));
    if (core.wabas.has(id)) {
      return reply.send(pick({ id, name: 'wabridge Simulator WABA', currency: 'USD', timezone_id: '1' }, fields, ['id', 'name']));
    }
    return sendGraph(reply, unknownObjectError(id, 'get'));
  });

  app.delete<{ Params: VersionParams & { objectId: string } }>('/:version/:objectId', (req, reply) => {
    if (!guard(req, reply)) return reply;
    if (!core.media.delete(req.params.objectId)) return sendGraph(reply, unknownObjectError(req.params.objectId, 'delete'));
    return reply.send({ success: true });
  });

  app.get<{ Params: { token: string }; Querystring: Query }>('/_media/:token', (req, reply) => {
    const err = checkAuth(req.headers.authorization, req.query.access_token, core.accessToken);
    if (err) return sendGraph(reply, err);
    const media = core.media.resolveToken(req.params.token);
    if (!media) return reply.code(404).type('text/plain').send('Not Found');
    return reply.type(media.mimeType).header('content-length', media.fileSize).send(media.bytes);
  });

  return app;
}

/** Writes a core reply or Graph error; errors also carry Graph's `WWW-Authenticate` header. */
export function sendGraph(reply: FastifyReply, r: Reply | GraphErrorReply): FastifyReply {
  reply.code(r.status);
  if (r.status >= 400) {
    const message = (r.body as { error?: { message?: string } }).error?.message ?? '';
    reply.header('www-authenticate', wwwAuthenticate(r.status, message));
  }
  return reply.send(r.body);
}

/** Graph returns the requested fields plus `id`, or a default set when none are requested. */
function pick(full: Record<string, unknown>, fields: Set<string> | undefined, defaults: string[]): Record<string, unknown> {
  const wanted = fields ?? new Set(defaults);
  const out: Record<string, unknown> = {};
  for (const f of wanted) if (f in full) out[f] = full[f];
  out.id = full.id;
  return out;
}
