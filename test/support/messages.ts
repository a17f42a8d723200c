/**
 * Reading a gateway's messages the way a test needs them, through the store's port.
 */
import type { Gateway } from '../../src/gateway.js';
import type { StoredMessage } from '../../src/store/message-store.js';

/** The message Meta knows by `wamid`, if the gateway has it. */
export async function messageByWamid(gateway: Pick<Gateway, 'store'>, wamid: string): Promise<StoredMessage | undefined> {
  const lifecycle = await gateway.store.getLifecycle({ wamid });
  return lifecycle && gateway.store.getMessage(lifecycle.id);
}
