/** 上一页 / 下一页 under a list the API pages with `next_cursor` (see useCursorPages). */
import { Button, Flex } from 'antd';
import type { CursorPages } from '@/hooks/useCursorPages';

export function CursorPager({ pages, nextCursor }: { pages: CursorPages; nextCursor: string | null | undefined }) {
  return (
    <Flex justify="end" align="center" gap={8} className="kc-pager">
      {pages.hasPrevious || nextCursor ? <span className="kc-pager-page">第 {pages.page} 页</span> : null}
      <Button disabled={!pages.hasPrevious} onClick={pages.previous}>上一页</Button>
      <Button disabled={!nextCursor} onClick={() => pages.next(nextCursor)}>下一页</Button>
    </Flex>
  );
}
