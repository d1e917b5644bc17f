/** The signed-in person as the pages see it, whichever way they signed in (local demo or OpenID Connect). */
import { createContext, useContext } from 'react';
import type { Identity } from './identity';

export interface AuthValue {
  mode: 'local' | 'oidc';
  /** False while the provider is still finding out whether someone is signed in. */
  ready: boolean;
  identity: Identity | null;
  token: string | null;
  /** Local stage: take a token from the local stack's sign-in endpoint. */
  acceptToken: (token: string) => Identity | null;
  /** Cloud: go to the identity provider, coming back to `returnTo`. Local: go to the sign-in page. */
  signIn: (returnTo?: string) => void;
  signOut: () => void;
}

export const AuthContext = createContext<AuthValue | null>(null);

export function useAuthValue(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuthValue outside an auth provider');
  return value;
}
