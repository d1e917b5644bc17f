/**
 * Local stage sign-in: the token comes from the local stack's console server (POST /local-auth/token), never
 * from the API. It lives in sessionStorage, so each browser tab can be a different person (a citizen in one
 * tab, window staff in another).
 */
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { setTokenSource } from '@/lib/api/client';
import { AuthContext, type AuthValue } from './context';
import { identityFromToken } from './identity';

const KEY = 'kc.token';

function stored(): string | null {
  try {
    const token = sessionStorage.getItem(KEY);
    return token && identityFromToken(token) ? token : null;
  } catch {
    return null;
  }
}

export function LocalAuthProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(stored);

  const signOut = useCallback(() => {
    sessionStorage.removeItem(KEY);
    setToken(null);
  }, []);

  const acceptToken = useCallback((next: string) => {
    const identity = identityFromToken(next);
    if (identity) {
      sessionStorage.setItem(KEY, next);
      setToken(next);
    }
    return identity;
  }, []);

  useEffect(() => {
    setTokenSource(() => token, signOut);
  }, [token, signOut]);

  const value = useMemo<AuthValue>(() => ({
    mode: 'local',
    ready: true,
    token,
    identity: token ? identityFromToken(token) : null,
    acceptToken,
    signIn: (returnTo) => {
      window.location.assign(`/login${returnTo ? `?next=${encodeURIComponent(returnTo)}` : ''}`);
    },
    signOut,
  }), [token, acceptToken, signOut]);

  // Set synchronously too, so the first queries of a page already carry the token.
  setTokenSource(() => token, signOut);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
