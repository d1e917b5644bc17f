/**
 * Paging through a list the API pages with `next_cursor`: a stack of the cursors that opened each page seen, so
 * 上一页 goes back without the API having to page backwards. The stack logic is pure (tested with Vitest); the
 * hook keeps it in React state.
 */
import { useCallback, useMemo, useState } from 'react';

/** The cursors that opened page 1, 2, …; page 1 has none. Never empty. */
export type CursorStack = readonly (string | undefined)[];

export const FIRST_PAGE: CursorStack = [undefined];

/** The cursor of the page shown now (undefined on page 1). */
export function currentCursor(stack: CursorStack): string | undefined {
  return stack[stack.length - 1];
}

/** Go on to the page a `next_cursor` opens; without one (the last page) nothing changes. */
export function pushCursor(stack: CursorStack, next: string | null | undefined): CursorStack {
  return next ? [...stack, next] : stack;
}

/** Back one page; page 1 stays page 1. */
export function popCursor(stack: CursorStack): CursorStack {
  return stack.length > 1 ? stack.slice(0, -1) : stack;
}

export interface CursorPages {
  /** The cursor to send for the page shown now (undefined on page 1). */
  cursor: string | undefined;
  /** 1-based number of the page shown now. */
  page: number;
  hasPrevious: boolean;
  previous: () => void;
  next: (nextCursor: string | null | undefined) => void;
  /** Back to page 1, e.g. when the filters change. */
  reset: () => void;
}

export function useCursorPages(): CursorPages {
  const [stack, setStack] = useState<CursorStack>(FIRST_PAGE);
  const previous = useCallback(() => setStack(popCursor), []);
  const next = useCallback((nextCursor: string | null | undefined) => setStack((s) => pushCursor(s, nextCursor)), []);
  const reset = useCallback(() => setStack(FIRST_PAGE), []);
  return useMemo(
    () => ({ cursor: currentCursor(stack), page: stack.length, hasPrevious: stack.length > 1, previous, next, reset }),
    [stack, previous, next, reset],
  );
}
