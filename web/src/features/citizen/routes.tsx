/** Citizen pages (signed in as a citizen), phone first. */
import { Navigate, type RouteObject } from 'react-router';

export const citizenRoutes: RouteObject[] = [
  { index: true, element: <Navigate to="/citizen/cases" replace /> },
  { path: 'cases', lazy: async () => ({ Component: (await import('./MyCasesPage')).MyCasesPage }) },
  { path: 'cases/:caseNo', lazy: async () => ({ Component: (await import('./CaseDetailPage')).CaseDetailPage }) },
  { path: 'apply', lazy: async () => ({ Component: (await import('./apply/ApplyPage')).ApplyPage }) },
  { path: 'claim', lazy: async () => ({ Component: (await import('./ClaimPage')).ClaimPage }) },
];
