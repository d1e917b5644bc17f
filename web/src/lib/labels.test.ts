import { describe, expect, it } from 'vitest';
import { ALL_STATUSES, STATUS_LABELS, isBadRating, RATING_LABELS, statusLabel, stepPosition } from './labels';

describe('state labels (DESIGN §3)', () => {
  it('has the design\'s Chinese term for every state', () => {
    expect(STATUS_LABELS).toMatchObject({
      SUBMITTED: '已申请', RECEIVED: '已收件', REFUSED: '不予收件', WITHDRAWN: '已撤回', IN_TRANSIT: '材料寄递中',
      ACCEPTED: '已受理', RETURNED: '退回补正', APPROVED: '准予', DENIED: '不予', RESULT_IN_TRANSIT: '结果寄递中',
      READY_FOR_PICKUP: '待领取', COMPLETED: '已办结', TERMINATED: '终止',
    });
    expect(ALL_STATUSES).toHaveLength(13);
  });

  it('falls back to the code for a state it does not know', () => {
    expect(statusLabel('SOMETHING_NEW')).toBe('SOMETHING_NEW');
  });

  it('places every state on the steps', () => {
    expect(stepPosition('SUBMITTED')).toMatchObject({ current: 0, status: 'process' });
    expect(stepPosition('REFUSED')).toMatchObject({ current: 1, status: 'error', currentTitle: '不予收件' });
    expect(stepPosition('COMPLETED')).toMatchObject({ current: 6, status: 'finish' });
    for (const s of ALL_STATUSES) expect(stepPosition(s).current).toBeGreaterThanOrEqual(0);
  });
});

describe('ratings (DESIGN §5)', () => {
  it('labels 1–5 and calls 1–2 bad', () => {
    expect(RATING_LABELS[5]).toBe('非常满意');
    expect(RATING_LABELS[1]).toBe('非常不满意');
    expect([1, 2, 3, 4, 5].map(isBadRating)).toEqual([true, true, false, false, false]);
  });
});
