/** Designed loading, empty and error states, so no page is ever left blank or showing a bare spinner. */
import { Button, Empty, Result, Skeleton } from 'antd';
import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '@/lib/api/errors';

export function Loading({ label = '正在加载…', rows = 4 }: { label?: string; rows?: number }) {
  return (
    <div role="status" aria-live="polite" aria-busy="true" className="kc-loading">
      <span className="kc-visually-hidden">{label}</span>
      <Skeleton active paragraph={{ rows }} />
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
    <Result
      status={status === 404 ? '404' : status === 403 ? '403' : 'warning'}
      title={title}
      subTitle={<span role="alert">{errorMessage(error)}</span>}
      extra={onRetry ? <Button onClick={onRetry}>重试</Button> : undefined}
    />
  );
}
