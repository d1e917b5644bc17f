/**
 * The route table: public pages, then one branch per user group, each behind its role. A group's pages live in
 * features/<group>/routes.tsx; the handling (staff) and supervisor branches of issue 11 plug in the same way.
 */
import { Button } from 'antd';
import { lazy, Suspense } from 'react';
import { createBrowserRouter, isRouteErrorResponse, Link, useRouteError, type RouteObject } from 'react-router';
import { Notice } from '@/components/Notice';
import { Loading } from '@/components/PageState';
import { citizenRoutes } from '@/features/citizen/routes';
import { handlingRoutes } from '@/features/handling/routes';
import { publicRoutes } from '@/features/public/routes';
import { supervisorRoutes } from '@/features/supervisor/routes';
import { windowRoutes } from '@/features/window/routes';
import { PublicLayout, RoleLayout } from './layouts';
import { RequireRole } from './RequireRole';

// antd's App (modal, notification) only where staff pages may use it: kept off the citizen and public pages.
const StaffApp = lazy(() => import('./StaffApp'));

function StaffFrame() {
  return (
    <Suspense fallback={<Loading />}>
      <StaffApp><RoleLayout /></StaffApp>
    </Suspense>
  );
}

function RouteError() {
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  // A chunk that failed to load (a new deployment replaced it) is fixed by loading the page again.
  return (
    <main className="kc-main">
      <Notice
        tone={notFound ? 'info' : 'error'}
        title={notFound ? '页面不存在' : '页面加载失败'}
        description={notFound ? '您访问的地址不存在。' : <span role="alert">{error instanceof Error ? error.message : '请刷新后重试。'}</span>}
        extra={<>
          <Button onClick={() => window.location.reload()}>重新加载</Button>
          <Link to="/"><Button type="primary">返回首页</Button></Link>
        </>}
      />
    </main>
  );
}

export const routes: RouteObject[] = [
  {
    element: <PublicLayout />,
    errorElement: <RouteError />,
    hydrateFallbackElement: <Loading />,
    children: [
      ...publicRoutes,
      { path: 'login', lazy: async () => ({ Component: (await import('@/features/auth/LoginPage')).LoginPage }) },
      { path: 'auth/callback', lazy: async () => ({ Component: (await import('@/features/auth/LoginPage')).CallbackPage }) },
    ],
  },
  {
    path: 'citizen',
    element: <RequireRole roles={['citizen']}><RoleLayout /></RequireRole>,
    errorElement: <RouteError />,
    hydrateFallbackElement: <Loading />,
    children: citizenRoutes,
  },
  {
    path: 'window',
    element: <RequireRole roles={['staff']}><StaffFrame /></RequireRole>,
    errorElement: <RouteError />,
    hydrateFallbackElement: <Loading />,
    children: windowRoutes,
  },
  {
    path: 'handling',
    element: <RequireRole roles={['staff']}><StaffFrame /></RequireRole>,
    errorElement: <RouteError />,
    hydrateFallbackElement: <Loading />,
    children: handlingRoutes,
  },
  {
    path: 'supervisor',
    element: <RequireRole roles={['supervisor']}><StaffFrame /></RequireRole>,
    errorElement: <RouteError />,
    hydrateFallbackElement: <Loading />,
    children: supervisorRoutes,
  },
  { path: '*', element: <PublicLayout />, children: [{ path: '*', element: <RouteError404 /> }] },
];

function RouteError404() {
  return (
    <Notice
      tone="info"
      title="页面不存在"
      description="您访问的地址不存在。"
      extra={<Link to="/"><Button type="primary">返回首页</Button></Link>}
    />
  );
}

export function createRouter() {
  return createBrowserRouter(routes);
}
