/**
 * Cloud sign-in: OpenID Connect authorization code flow with PKCE against the stage's Cognito user pool
 * (oidc-client-ts through react-oidc-context). Loaded only when /config.json says `"mode": "oidc"`, so the
 * local build's first page does not carry it. The API's Cognito authorizer reads the ID token's claims.
 */
import { WebStorageStateStore } from 'oidc-client-ts';
import { useEffect, useMemo, type ReactNode } from 'react';
import { AuthProvider, useAuth } from 'react-oidc-context';
import { setTokenSource } from '@/lib/api/client';
import type { OidcAuthConfig } from '@/lib/config';
import { AuthContext, type AuthValue } from './context';
import { identityFromClaims } from './identity';

function Bridge({ config, children }: { config: OidcAuthConfig; children: ReactNode }) {
  const auth = useAuth();
  const token = auth.user && !auth.user.expired ? auth.user.id_token ?? null : null;
  const identity = auth.user && token ? identityFromClaims(auth.user.profile as Record<string, unknown>) : null;

  useEffect(() => {
    setTokenSource(() => token, () => void auth.removeUser());
  }, [token, auth]);

  const value = useMemo<AuthValue>(() => ({
    mode: 'oidc',
    ready: !auth.isLoading,
    token,
    identity,
    acceptToken: () => null,
    signIn: (returnTo) => void auth.signinRedirect({ state: { returnTo: returnTo ?? '/' } }),
    signOut: () => {
      void auth.removeUser();
      if (config.logoutUrl) {
        const url = new URL(config.logoutUrl);
        url.searchParams.set('client_id', config.clientId);
        url.searchParams.set('logout_uri', window.location.origin + '/');
        window.location.assign(url.toString());
      }
    },
  }), [auth, token, identity, config]);
  setTokenSource(() => token, () => void auth.removeUser());
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export default function OidcAuthProvider({ config, children }: { config: OidcAuthConfig; children: ReactNode }) {
  const settings = useMemo(() => ({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: `${window.location.origin}/auth/callback`,
    post_logout_redirect_uri: `${window.location.origin}/`,
    response_type: 'code',
    scope: config.scope ?? 'openid profile',
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    onSigninCallback: (user: { state?: unknown } | void) => {
      const state = user && typeof user.state === 'object' && user.state ? (user.state as { returnTo?: string }) : {};
      // A full load of the page the person came from: the router starts there with the user in sessionStorage.
      window.location.replace(state.returnTo ?? '/');
    },
  }), [config]);
  return (
    <AuthProvider {...settings}>
      <Bridge config={config}>{children}</Bridge>
    </AuthProvider>
  );
}
