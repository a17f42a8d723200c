/**
 * @module whatsapp
 * Meta's side of the wire: canonical message → Graph request, the Graph client, Meta error
 * classification, and webhook signatures. Imports only `domain/`.
 */
export * from './graph-types.js';
export * from './translate.js';
export * from './errors.js';
export * from './error-mapping-doc.js';
export * from './graph-client.js';
export * from './signature.js';
export * from './webhook-messages.js';
export * from './template-definitions.js';
