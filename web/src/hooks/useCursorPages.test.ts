import { describe, expect, it } from 'vitest';
import { currentCursor, FIRST_PAGE, popCursor, pushCursor } from './useCursorPages';

describe('cursor pages', () => {
  it('starts on page 1 without a cursor', () => {
    expect(currentCursor(FIRST_PAGE)).toBeUndefined();
    expect(FIRST_PAGE).toHaveLength(1);
  });

  it('goes forward with next_cursor and back to each page it saw', () => {
    const two = pushCursor(FIRST_PAGE, 'c2');
    const three = pushCursor(two, 'c3');
    expect(currentCursor(three)).toBe('c3');
    expect(three).toHaveLength(3);
    expect(currentCursor(popCursor(three))).toBe('c2');
    expect(currentCursor(popCursor(popCursor(three)))).toBeUndefined();
  });

  it('stays on the last page when there is no next cursor', () => {
    const two = pushCursor(FIRST_PAGE, 'c2');
    expect(pushCursor(two, null)).toBe(two);
    expect(pushCursor(two, undefined)).toBe(two);
    expect(pushCursor(two, '')).toBe(two);
  });

  it('never goes back past page 1', () => {
    expect(popCursor(FIRST_PAGE)).toBe(FIRST_PAGE);
    expect(currentCursor(popCursor(popCursor(pushCursor(FIRST_PAGE, 'c2'))))).toBeUndefined();
  });

  it('does not change the stack it was given', () => {
    const two = pushCursor(FIRST_PAGE, 'c2');
    pushCursor(two, 'c3');
    popCursor(two);
    expect(two).toEqual([undefined, 'c2']);
  });
});
