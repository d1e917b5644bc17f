import { describe, expect, it } from 'vitest';
import { toApiError } from './errors';

describe('API errors', () => {
  it('keeps the API\'s message, field and current status', () => {
    const e = toApiError(400, { code: 'invalid', message: 'applicant.id_number: bad check digit', field: 'applicant.id_number' });
    expect(e.message).toBe('applicant.id_number: bad check digit');
    expect(e.field).toBe('applicant.id_number');
    const c = toApiError(409, { code: 'conflict', message: 'case is RECEIVED', current_status: 'RECEIVED' });
    expect(c.isConflict).toBe(true);
    expect(c.currentStatus).toBe('RECEIVED');
  });

  it('gives a readable message for an answer that is not the API\'s shape', () => {
    expect(toApiError(502, '<html>bad gateway</html>').message).toContain('502');
    expect(toApiError(429, null).message).toBe('尝试次数过多，请稍后再试');
  });
});
