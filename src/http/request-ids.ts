/**
 * @module http/request-ids
 * One counter for the ids of every request, whichever front takes it: fastify asks for a string
 * (`genReqId`), the lean front (fast-route.ts) keeps the number and hands it to the intakes, which
 * write it only when they log. Both appear in log lines as `reqId`, the same digits either way.
 */
export class RequestIds {
  #last = 0;

  next(): number {
    this.#last = this.#last >= Number.MAX_SAFE_INTEGER ? 1 : this.#last + 1;
    return this.#last;
  }

  /** fastify's `genReqId`. */
  readonly nextString = (): string => String(this.next());
}
