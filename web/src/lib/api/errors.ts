/** The API's error shape ({"code","message","field"?,"current_status"?}) as one exception class. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly currentStatus: string | undefined;
  readonly materials: string[] | undefined;

  constructor(status: number, code: string, message: string, extra: { field?: string; current_status?: string; materials?: string[] } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = extra.field;
    this.currentStatus = extra.current_status;
    this.materials = extra.materials;
  }

  /** Someone else changed the case first (state conflict or a lost race). */
  get isConflict(): boolean {
    return this.status === 409;
  }
}

const FALLBACK_MESSAGES: Record<number, string> = {
  401: '登录已失效，请重新登录',
  403: '您无权进行此操作',
  404: '未找到',
  409: '该办件已被他人更改',
  413: '提交的内容过大',
  429: '尝试次数过多，请稍后再试',
};

/** Turns whatever a failed response carried into an ApiError whose message a person can read. */
export function toApiError(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (typeof b.message === 'string' && b.message) {
      return new ApiError(status, typeof b.code === 'string' ? b.code : 'error', b.message, {
        field: typeof b.field === 'string' ? b.field : undefined,
        current_status: typeof b.current_status === 'string' ? b.current_status : undefined,
        materials: Array.isArray(b.materials) ? (b.materials as string[]) : undefined,
      });
    }
  }
  return new ApiError(status, 'unexpected', FALLBACK_MESSAGES[status] ?? `服务暂时不可用（HTTP ${status}），请稍后再试`);
}

export function networkError(): ApiError {
  return new ApiError(0, 'network', '无法连接服务，请检查网络后重试');
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return '发生了意外错误，请重试';
}
