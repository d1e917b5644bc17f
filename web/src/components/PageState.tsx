/** Designed loading, empty and error states, so no page is ever left blank or showing a bare spinner. */
import { Button, Empty } from 'antd';
import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '@/lib/api/errors';
import { Notice } from './Notice';

export function Loading({ label = '正在加载…', rows = 4 }: { label?: string; rows?: number }) {
  return (
    <div role="status" aria-live="polite" aria-busy="true" className="kc-loading">
      <span className="kc-visually-hidden">{label}</span>
      {/* Grey bars where the content will be (plain CSS: antd's Skeleton is heavier than it looks). */}
      <div className="kc-skeleton" aria-hidden="true">
        {Array.from({ length: rows + 1 }, (_, i) => <div key={i} className="kc-skeleton-bar" />)}
      </div>
    </div>
  );
}

export function EmptyState({ description, action }: { description: ReactNode; action?: ReactNode }) {
  return (
    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={description}>
      {action}
    </Empty>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const status = error instanceof ApiError ? error.status : 0;
  const title = status === 404 ? '未找到' : status === 403 ? '无权查看' : status === 401 ? '请先登录' : '加载失败';
  return (
    <Notice
      tone={status === 404 ? 'info' : 'warning'}
      title={title}
      description={<span role="alert">{errorMessage(error)}</span>}
      extra={onRetry ? <Button onClick={onRetry}>重试</Button> : undefined}
    />
  );
}
