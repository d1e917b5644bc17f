/** Citizen pages (signed in as a citizen). */
import type { RouteObject } from 'react-router';
import { ComingSoon } from '@/features/ComingSoon';

export const citizenRoutes: RouteObject[] = [
  { index: true, element: <ComingSoon title="我的办件" /> },
  { path: 'cases', element: <ComingSoon title="我的办件" /> },
  { path: 'cases/:caseNo', element: <ComingSoon title="办件详情" /> },
  { path: 'apply', element: <ComingSoon title="申请办理" /> },
  { path: 'claim', element: <ComingSoon title="认领窗口办件" /> },
];
