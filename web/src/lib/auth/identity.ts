/** Who is signed in, read from the token's claims (DESIGN §6: sub, role, office_id, city, name). */
import type { Role } from '@/lib/labels';

export interface Identity {
  sub: string;
  role: Role;
  name: string;
  officeId?: string;
  city?: string;
}

const ROLES: Role[] = ['citizen', 'staff', 'supervisor', 'admin'];

/** Claims as the API reads them: plain, or Cognito's `custom:` attributes. */
export function identityFromClaims(claims: Record<string, unknown>): Identity | null {
  const claim = (name: string): unknown => claims[name] ?? claims[`custom:${name}`];
  const sub = claim('sub');
  const role = claim('role');
  if (typeof sub !== 'string' || !ROLES.includes(role as Role)) return null;
  const officeId = claim('office_id');
  const city = claim('city');
  const name = claim('name');
  return {
    sub,
    role: role as Role,
    name: typeof name === 'string' && name ? name : sub,
    ...(typeof officeId === 'string' ? { officeId } : {}),
    ...(typeof city === 'string' ? { city } : {}),
  };
}

function base64UrlDecode(part: string): string {
  const padded = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The claims of a JWT (not verified: the API verifies; the console only reads who it says it is). */
export function decodeJwt(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const claims: unknown = JSON.parse(base64UrlDecode(parts[1]));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The identity in a token that has not expired, or null. */
export function identityFromToken(token: string, nowSeconds = Date.now() / 1000): Identity | null {
  const claims = decodeJwt(token);
  if (!claims) return null;
  if (typeof claims.exp === 'number' && claims.exp < nowSeconds) return null;
  return identityFromClaims(claims);
}

/** Where each role starts after signing in. */
export function homeOf(identity: Identity): string {
  switch (identity.role) {
    case 'citizen':
      return '/citizen/cases';
    case 'staff':
      return '/window/queue';
    case 'supervisor':
      return '/supervisor';
    default:
      return '/';
  }
}
