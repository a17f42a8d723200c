/**
 * @module http/problem
 * Every 4xx/5xx outside the CleverTap contract has one shape: `{"message": <status text>,
 * "reason": <what was wrong>}`. CleverTap's own documented bodies use `message` the same way.
 */
import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';

export function problem(reply: FastifyReply, status: number, reason: string): FastifyReply {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ message: STATUS_CODES[status] ?? 'Error', reason }));
}
