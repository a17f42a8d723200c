/**
 * @module domain/template
 * An approved (or not) template as the gateway knows it after syncing from WhatsApp, reduced to
 * what a send must agree with: how many parameters each part takes and under which names, which
 * header media is mandatory, and what each button expects. `whatsapp/` parses Meta's listing into
 * it, `pipeline/` checks sends against it, and `raw` keeps Meta's JSON for CleverTap's import.
 */

/** Meta's statuses; unknown future ones are kept verbatim rather than rejected. */
export type TemplateStatus =
  | 'APPROVED'
  | 'PENDING'
  | 'REJECTED'
  | 'PAUSED'
  | 'DISABLED'
  | 'IN_APPEAL'
  | 'PENDING_DELETION'
  | 'DELETED'
  | 'LIMIT_EXCEEDED'
  | 'ARCHIVED'
  | (string & {});

export type TemplateParameterFormat = 'positional' | 'named';

export type TemplateHeaderFormat = 'text' | 'image' | 'video' | 'document' | 'location';

export interface TemplateHeaderDefinition {
  format: TemplateHeaderFormat;
  /** Text headers only: `['1']` for `{{1}}`, or the names of a NAMED template. Media: `[]`. */
  paramNames: string[];
}

export interface TemplateBodyDefinition {
  /**
   * One entry per distinct placeholder: `['1', '2']` (POSITIONAL, numeric order) or the names in
   * order of first appearance in the text (NAMED) — the order in which CleverTap lists values.
   */
  paramNames: string[];
}

export type TemplateButtonType =
  | 'url'
  | 'quick_reply'
  | 'phone_number'
  | 'copy_code'
  | 'otp'
  | 'flow'
  | 'catalog'
  | 'mpm'
  | 'other';

export interface TemplateButtonDefinition {
  /** Zero-based position in the template's BUTTONS list: Meta's send-time `index`. */
  index: number;
  type: TemplateButtonType;
  text: string;
  /** URL buttons: the URL as approved, placeholder included. */
  url?: string;
  /** URL buttons: true when the URL has a `{{1}}`, i.e. the send supplies a suffix. */
  dynamic?: boolean;
  /** Dynamic URL buttons: the URL up to its `{{1}}`, what a whole-URL value must start with. */
  urlBase?: string;
}

export interface TemplateCardDefinition {
  header?: TemplateHeaderDefinition;
  body: TemplateBodyDefinition;
  buttons: TemplateButtonDefinition[];
}

export interface TemplateDefinition {
  id: string;
  name: string;
  /** Meta's locale code exactly as approved (`en`, `en_US`, `pt_BR`). */
  language: string;
  status: TemplateStatus;
  /** MARKETING, UTILITY, AUTHENTICATION, or whatever Meta adds. */
  category: string;
  parameterFormat: TemplateParameterFormat;
  header?: TemplateHeaderDefinition;
  body: TemplateBodyDefinition;
  buttons: TemplateButtonDefinition[];
  limitedTimeOffer?: { hasExpiration: boolean };
  carousel?: TemplateCardDefinition[];
  /** The Graph JSON it was parsed from, served unchanged by CleverTap's template import. */
  raw: unknown;
}
