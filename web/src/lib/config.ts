/**
 * Run-time configuration, read once from /config.json, so one build serves every stage: the local stack's
 * console server writes it for the local API and demo sign-in; a cloud stage uploads its own beside the build.
 *
 *   local: {"stage":"local","apiUrl":"http://127.0.0.1:8000","auth":{"mode":"local","tokenUrl":"/local-auth/token","identitiesUrl":"/local-auth/identities"}}
 *   cloud: {"stage":"dev","apiUrl":"https://…/api","auth":{"mode":"oidc","authority":"https://cognito-idp.…/pool","clientId":"…","scope":"openid profile"}}
 */
import { createContext, useContext } from 'react';

export interface LocalAuthConfig {
  mode: 'local';
  tokenUrl: string;
  identitiesUrl: string;
}

export interface OidcAuthConfig {
  mode: 'oidc';
  authority: string;
  clientId: string;
  scope?: string;
  /** Where Cognito's hosted UI ends a session (its /logout endpoint), when it differs from the authority. */
  logoutUrl?: string;
}

export interface RuntimeConfig {
  stage: string;
  apiUrl: string;
  auth: LocalAuthConfig | OidcAuthConfig;
}

export function parseConfig(raw: unknown): RuntimeConfig {
  if (!raw || typeof raw !== 'object') throw new Error('config.json is not an object');
  const c = raw as Record<string, unknown>;
  const auth = c.auth as Record<string, unknown> | undefined;
  if (typeof c.apiUrl !== 'string' || !auth || (auth.mode !== 'local' && auth.mode !== 'oidc')) {
    throw new Error('config.json needs apiUrl and auth.mode (local or oidc)');
  }
  if (auth.mode === 'oidc' && (typeof auth.authority !== 'string' || typeof auth.clientId !== 'string')) {
    throw new Error('config.json: oidc needs authority and clientId');
  }
  return {
    stage: typeof c.stage === 'string' ? c.stage : 'local',
    apiUrl: c.apiUrl.replace(/\/+$/, ''),
    auth: auth as unknown as RuntimeConfig['auth'],
  };
}

export async function loadConfig(): Promise<RuntimeConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json: HTTP ${response.status}`);
  return parseConfig(await response.json());
}

export const RuntimeConfigContext = createContext<RuntimeConfig | null>(null);

export function useRuntimeConfig(): RuntimeConfig {
  const config = useContext(RuntimeConfigContext);
  if (!config) throw new Error('useRuntimeConfig outside the app');
  return config;
}
