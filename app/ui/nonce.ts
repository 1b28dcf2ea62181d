import { createContext, useContext } from "react";

/**
 * The answer's content-security-policy nonce (decision 042), given by entry.server to the inline scripts the layout
 * renders (Remix's <Scripts>, <ScrollRestoration>). In the browser it is empty: the scripts are already there, and a
 * browser hides a nonce from the page's own scripts anyway.
 */
const NonceContext = createContext<string | undefined>(undefined);

export const NonceProvider = NonceContext.Provider;

export function useNonce(): string | undefined {
  return useContext(NonceContext);
}
