/**
 * The typed API client (openapi-fetch over the types generated from docs/openapi.json by `make openapi`).
 * Every call goes through `call`, which turns an error answer or a network failure into an ApiError, so a page
 * never sees a half-typed response and never leaves a promise unhandled.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema';
import { ApiError, networkError, toApiError } from './errors';

export type Api = Client<paths>;

let tokenSource: () => string | null = () => null;
let onUnauthorized: () => void = () => {};

/** The auth provider tells the client where the current bearer token comes from. */
export function setTokenSource(source: () => string | null, unauthorized: () => void): void {
  tokenSource = source;
  onUnauthorized = unauthorized;
}

let client: Api | null = null;

export function configureApi(baseUrl: string): Api {
  client = createClient<paths>({ baseUrl });
  client.use({
    onRequest({ request }) {
      const token = tokenSource();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  });
  return client;
}

export function api(): Api {
  if (!client) throw new Error('API client used before configureApi');
  return client;
}

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Awaits an openapi-fetch call and returns its data, or throws an ApiError with the API's message. */
export async function call<T>(request: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await request;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw networkError();
  }
  const { data, error, response } = result;
  if (!response.ok || error !== undefined) {
    const apiError = toApiError(response.status, error);
    if (response.status === 401) onUnauthorized();
    throw apiError;
  }
  if (data === undefined) throw new ApiError(response.status, 'empty', '服务返回了空的应答');
  return data;
}

/** A fresh key per submission attempt group: reused on retry so the API makes one case, never two. */
export function newIdempotencyKey(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
