/** Receiving-window staff pages (desktop): loaded on demand, so public and citizen pages never carry them. */
import type { RouteObject } from 'react-router';
import { ComingSoon } from '@/features/ComingSoon';

export const windowRoutes: RouteObject[] = [
  { index: true, element: <ComingSoon title="收件工作台" /> },
  { path: 'queue', element: <ComingSoon title="收件工作台" /> },
  { path: 'walk-in', element: <ComingSoon title="窗口代录" /> },
  { path: 'cases/:caseNo', element: <ComingSoon title="办件详情" /> },
];
