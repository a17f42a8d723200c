/**
 * @module http/routes/admin-templates
 * `GET /v1/admin/templates/{accountId}`: an account's templates as last synced from WhatsApp,
 * every status (the console's Templates page and its Send test form). Each is Meta's listing
 * entry (name, language, status, category, components, parameter_format), with the status the
 * gateway holds now (status webhooks update it between syncs).
 *
 * Same access rule as the rest of the admin API (routes/admin.ts `requireAdmin`), decided in this
 * plugin's own hook.
 */
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import type { TemplateRecord } from '../../store/template-store.js';
import { problem } from '../problem.js';
import { requireAdmin } from './admin.js';

export interface TemplateListSource {
  /** The account's stored templates; undefined when the gateway runs no such account. */
  list(accountId: string): Promise<readonly TemplateRecord[] | undefined>;
}

export interface AdminTemplatesOptions {
  templates: TemplateListSource;
  token?: string;
}

const TemplateViewSchema = Type.Object(
  {
    id: Type.String({ description: "Meta's template id" }),
    name: Type.String(),
    language: Type.String({ description: "Meta's locale code, e.g. en_US" }),
    status: Type.String({ description: 'APPROVED, PENDING, REJECTED, PAUSED, DISABLED…' }),
    category: Type.String({ description: 'MARKETING, UTILITY, AUTHENTICATION' }),
    parameter_format: Type.Optional(Type.String({ description: 'POSITIONAL or NAMED' })),
    components: Type.Array(Type.Object({ type: Type.String() }, { additionalProperties: true }), { description: "as Meta lists them (HEADER, BODY, FOOTER, BUTTONS, CAROUSEL…)" }),
  },
  { additionalProperties: true },
);

export const ADMIN_TEMPLATE_LIST_SCHEMA = {
  summary: "An account's templates as last synced from WhatsApp, every status",
  tags: ['admin'],
  params: Type.Object({ accountId: Type.String() }),
  response: { 200: Type.Object({ data: Type.Array(TemplateViewSchema) }) },
};

export const adminTemplatesRoutes: FastifyPluginAsync<AdminTemplatesOptions> = async (app, { templates, token }) => {
  requireAdmin(app, token);
  app.get<{ Params: { accountId: string } }>('/v1/admin/templates/:accountId', { schema: ADMIN_TEMPLATE_LIST_SCHEMA }, async (request, reply) => {
    const stored = await templates.list(request.params.accountId);
    if (!stored) return problem(reply, 404, `no account "${request.params.accountId}" is configured`);
    const data = [...stored].sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language)).map(templateView);
    return reply.type('application/json').send(JSON.stringify({ data }));
  });
};

/** Meta's entry for the template, with the ids and status the gateway holds. */
function templateView(record: TemplateRecord): Record<string, unknown> {
  const raw = typeof record.raw === 'object' && record.raw !== null ? (record.raw as Record<string, unknown>) : {};
  return {
    ...raw,
    id: record.id,
    name: record.name,
    language: record.language,
    status: record.status,
    category: record.category,
    components: Array.isArray(raw['components']) ? raw['components'] : [],
  };
}
