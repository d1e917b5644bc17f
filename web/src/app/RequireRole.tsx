/** A route only the given roles may open: others are sent to sign in, or told they may not. */
import { Button } from 'antd';
import type { ReactNode } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { Notice } from '@/components/Notice';
import { Loading } from '@/components/PageState';
import { useAuthValue } from '@/lib/auth/context';
import { homeOf } from '@/lib/auth/identity';
import type { Role } from '@/lib/labels';

export function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const auth = useAuthValue();
  const location = useLocation();
  if (!auth.ready) return <Loading label="正在确认登录状态…" />;
  if (!auth.identity) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (!roles.includes(auth.identity.role)) {
    return (
      <main className="kc-main">
        <Notice
          tone="warning"
          title="无权访问"
          description="您当前登录的身份不能使用此页面。"
          extra={<Link to={homeOf(auth.identity)}><Button type="primary">返回我的首页</Button></Link>}
        />
      </main>
    );
  }
  return <>{children}</>;
}
