/**
 * "Forget this token and ask for another", offered wherever the gateway refuses the token.
 */
import { createContext, useContext } from 'react';

export const SignOutContext = createContext<() => void>(() => undefined);

export function useSignOut(): () => void {
  return useContext(SignOutContext);
}
