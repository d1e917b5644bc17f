/** Receiving-window staff pages (desktop): loaded on demand, so public and citizen pages never carry them. */
import { Navigate, type RouteObject } from 'react-router';

export const windowRoutes: RouteObject[] = [
  { index: true, element: <Navigate to="/window/queue" replace /> },
  { path: 'queue', lazy: async () => ({ Component: (await import('./QueuePage')).QueuePage }) },
  { path: 'walk-in', lazy: async () => ({ Component: (await import('./WalkInPage')).WalkInPage }) },
  { path: 'cases/:caseNo', lazy: async () => ({ Component: (await import('./WindowCasePage')).WindowCasePage }) },
  { path: 'print/:kind/:caseNo', lazy: async () => ({ Component: (await import('./print/PrintPage')).PrintPage }) },
];
